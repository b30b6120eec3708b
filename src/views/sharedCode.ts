import * as path from 'node:path';
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
 * (workspace-relative path, lines, language), so the receiver can open the same place.
 */
export async function shareSelection(
  messenger: MessengerModel,
  editor: vscode.TextEditor | undefined,
  reveal: (conversationId: ConversationId) => void,
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
  const conversationId = conversationIdForMembers(
    peers.map((p) => p.clientId),
    messenger.selfId,
  );
  if (!messenger.send(conversationId, text, code)) return warnNotConnected();
  reveal(conversationId);
}

/**
 * Opens code a peer shared: the same file in this workspace at those lines when it exists
 * (and still reads the same there), otherwise the snippet in an untitled editor.
 */
export async function openSharedCode(code: CodeRef, text: string): Promise<void> {
  const local = await findInWorkspace(code.path);
  if (local) {
    const document = await vscode.workspace.openTextDocument(local);
    const start = Math.min(code.startLine - 1, Math.max(0, document.lineCount - 1));
    const end = Math.min(code.endLine - 1, Math.max(0, document.lineCount - 1));
    const range = new vscode.Range(start, 0, end, document.lineAt(end).text.length);
    await vscode.window.showTextDocument(document, { selection: range, preview: true });
    if (document.getText(range).trim() !== text.trim()) {
      void showInformationMessage(
        inert`Your copy of ${code.path} differs from what was shared; opened your version at lines ${code.startLine}–${code.endLine}.`,
        'Show Shared Snippet',
      ).then((choice) => {
        if (choice) void openSnippet(code, text);
      });
    }
    return;
  }
  await openSnippet(code, text);
}

async function openSnippet(code: CodeRef, text: string): Promise<void> {
  const languages = await vscode.languages.getLanguages();
  const language = languages.includes(code.language) ? code.language : 'plaintext';
  const document = await vscode.workspace.openTextDocument({ content: text, language });
  await vscode.window.showTextDocument(document, { preview: true });
}

/** The shared path inside one of this window's workspace folders, if such a file exists. */
async function findInWorkspace(sharedPath: string): Promise<vscode.Uri | undefined> {
  // The path is a peer's: only ever joined below a workspace folder, never absolute, never `..`.
  const parts = sharedPath.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..');
  if (parts.length === 0 || path.isAbsolute(sharedPath)) return undefined;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    // asRelativePath names multi-root files "folder/…": try with and without that first part.
    const candidates = [parts, parts[0] === folder.name ? parts.slice(1) : undefined].filter((c): c is string[] => !!c && c.length > 0);
    for (const candidate of candidates) {
      const uri = vscode.Uri.joinPath(folder.uri, ...candidate);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.type & vscode.FileType.File) return uri;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
