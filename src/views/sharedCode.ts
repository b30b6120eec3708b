import * as vscode from 'vscode';
import { CodeRef, Limits } from '../net/protocol/messages';
import { conversationIdForMembers } from '../model/conversationStore';
import { ConversationId } from '../model/conversationTypes';
import { inert } from '../model/inertText';
import { MessengerModel } from '../model/messengerModel';
import { warnNotConnected } from './notifications';
import { pickPeers } from './peerPicker';
import { showInformationMessage, showWarningMessage } from './safeWindow';

/**
 * "Share Selection with Peer…": sends the selected text with where it comes from
 * (workspace-relative path, lines, language), so the receiver can open the same place
 * (src/extension/gitWorkspace.ts openSharedCodeRef).
 */
export async function shareSelection(
  messenger: MessengerModel,
  editor: vscode.TextEditor | undefined,
  reveal: (conversationId: ConversationId) => void,
  /** Where the lines are in a way another checkout finds them (issue 28: src/extension/gitWorkspace.ts codeLinkFor). */
  linkFor?: (document: vscode.TextDocument, startLine: number, endLine: number) => Promise<Partial<CodeRef> | undefined>,
): Promise<void> {
  if (!editor || editor.selection.isEmpty) {
    void showInformationMessage('Select some code to share first.');
    return;
  }
  const selection = editor.selection;
  const text = editor.document.getText(selection);
  if (text.length > Limits.textChars) {
    void showWarningMessage(inert`The selection is too long to share (${text.length} characters; the limit is ${Limits.textChars}). Send the file instead.`);
    return;
  }
  const peers = await pickPeers(messenger, inert`Share Selection with…`, { canPickMany: true });
  if (!peers) return;
  const code: CodeRef = {
    path: vscode.workspace.asRelativePath(editor.document.uri, false).slice(0, 1024),
    startLine: selection.start.line + 1,
    endLine: selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1,
    language: editor.document.languageId.slice(0, 64),
  };
  const link = await linkFor?.(editor.document, code.startLine, code.endLine);
  if (link) Object.assign(code, link);
  const conversationId = conversationIdForMembers(
    peers.map((p) => p.clientId),
    messenger.selfId,
  );
  if (!messenger.send(conversationId, text, code)) return warnNotConnected();
  reveal(conversationId);
}
