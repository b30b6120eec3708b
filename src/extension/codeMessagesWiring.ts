import * as vscode from 'vscode';
import { z } from 'zod';
import { findFileLocations } from '../model/code/fileLocations';
import { conversationIdForMembers } from '../model/conversationIds';
import type { ConversationId, ConversationMessage } from '../model/conversationTypes';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import type { MessengerModel } from '../model/messengerModel';
import { warnNotConnected } from '../views/notifications';
import { pickPeers } from '../views/peerPicker';
import { showInformationMessage, showWarningMessage } from '../views/safeWindow';
import { resolveLocation } from './gitCodeLinks';
import { applyPatchText, patchRoot, PatchPreviews, previewPatch } from './gitPatchWorkspace';
import { linkTarget } from '../views/linkTargets';
import { codeLinkPorts, openTextLink, textLinksInWorkspace } from './gitWorkspace';
import { sentLinkFor } from '../model/code/textLinks';
import { CodeCommand } from './codeCommandIds';
import { changesMessage, Outgoing, problemMessage, suggestedEditMessage, terminalMessage } from './codeSending';

/**
 * Code-aware messages in this window (issue 28): the four commands that send them (Source
 * Control, editor, terminal, a diagnostic's code action) and what the chat's buttons and links
 * ask for (Preview / Apply a patch, open a `path:line`). Requests from the chat name a message;
 * the patch or text is taken from the store, never from the webview.
 */

/** From the chat (src/views/chatInbox.ts), already parsed there; parsed again, as commands can be run by anyone. */
const ChatCodeRequest = z.object({
  type: z.enum(['preview-patch', 'apply-patch', 'open-location', 'open-text-link']),
  conversationId: z.string().max(20_000),
  messageId: z.string().max(200),
  index: z.number().int().min(-1).max(1000).optional(),
  /** open-text-link: the `path:line` link clicked in the message's text. */
  href: z.string().max(8192).optional(),
});

export class CodeMessages extends Disposable {
  private readonly previews = this._register(new PatchPreviews());

  constructor(
    private readonly messenger: MessengerModel,
    private readonly reveal: (conversationId: ConversationId) => void,
  ) {
    super();
    const register = (id: string, run: (...args: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, run));
    // The Source Control view passes the clicked item, then (for files) the other selected ones.
    register(CodeCommand.sendChanges, (...args: unknown[]) => this.sendMade(inert`Send Changes to…`, () => changesMessage(args.flat())));
    register(CodeCommand.suggestEdit, () => this.sendMade(inert`Suggest Edit to…`, () => suggestedEditMessage(vscode.window.activeTextEditor)));
    register(CodeCommand.sendTerminalSelection, () => this.sendMade(inert`Send Terminal Selection to…`, () => terminalMessage()));
    register(CodeCommand.askAboutProblem, (uri?: vscode.Uri, diagnostic?: vscode.Diagnostic) => this.askAboutProblem(uri, diagnostic));
    register(CodeCommand.codeMessageAction, (request: unknown) => this.chatRequest(request));
    this._register(
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new AskAboutProblemActions(), {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
  }

  /** Picks the people first (cheap to cancel), then makes the message (may run git) and sends it. */
  private async sendMade(title: ReturnType<typeof inert>, make: () => Promise<Outgoing | undefined>): Promise<void> {
    const outgoing = await make();
    if (!outgoing) return;
    // A terminal or problem block's `path:line`s travel with where they point here (issue 28).
    const links = outgoing.extras.block !== undefined ? await textLinksInWorkspace(outgoing.text) : [];
    if (links.length > 0) outgoing.extras.links = links;
    const peers = await pickPeers(this.messenger, title, { canPickMany: true });
    if (!peers || peers.length === 0) return;
    const conversationId = conversationIdForMembers(
      peers.map((p) => p.clientId),
      this.messenger.selfId,
    );
    if (!this.messenger.send(conversationId, outgoing.text, undefined, outgoing.extras)) return warnNotConnected();
    this.reveal(conversationId);
  }

  private async askAboutProblem(uri: vscode.Uri | undefined, diagnostic: vscode.Diagnostic | undefined): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!uri || !diagnostic) {
      // From the palette: the first problem at the cursor.
      const at = editor?.selection.active;
      const here = editor && at ? vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.range.contains(at)) : undefined;
      if (!editor || !here) return void showInformationMessage('Put the cursor on a problem (a squiggle) first.');
      uri = editor.document.uri;
      diagnostic = here;
    }
    const target = uri;
    const problem = diagnostic;
    await this.sendMade(inert`Ask about this problem…`, () => problemMessage(target, problem));
  }

  /** Acts on a request from the chat; open-text-link answers whether it opened the link (else the chat opens it by path). */
  private async chatRequest(raw: unknown): Promise<boolean | void> {
    const parsed = ChatCodeRequest.safeParse(raw);
    if (!parsed.success) return;
    const request = parsed.data;
    const message = this.messenger.store.message(request.conversationId, request.messageId);
    if (request.type === 'open-text-link') return message !== undefined && !message.deleted && openTextLinkOf(message, request.href ?? '');
    if (!message || message.deleted) return void showWarningMessage('That message is no longer here.');
    if (request.type === 'open-location') return this.openLocation(message, request.index ?? 0);
    if (!message.patch) return;
    const root = await patchRoot(message.patch.repositories ?? []);
    if (root === undefined) {
      const where = message.patch.repositories?.[0];
      return void showWarningMessage(
        where !== undefined
          ? inert`No checkout of ${where} is open in this window: open it to preview or apply these changes.`
          : inert`Open the folder these changes are for (one folder) to preview or apply them.`,
      );
    }
    if (request.type === 'preview-patch') await previewPatch(message.patch.text, root, this.previews);
    else await applyPatchText(message.patch.text, root);
  }

  /** A `path:line` of a block: found again in the stored text, resolved inside the workspace only. */
  private async openLocation(message: ConversationMessage, index: number): Promise<void> {
    const location = index === -1 ? message.problem : findFileLocations(message.text)[index];
    if (!location) return;
    const link = index === -1 ? undefined : sentLinkFor(message.links, location);
    if (link && (await openTextLink(link, location.column))) return;
    const found = await resolveLocation(location, codeLinkPorts());
    if (!found) return void showInformationMessage(inert`${location.path} is not in this workspace.`);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(found.file));
    const line = Math.min(Math.max(found.line, 1), document.lineCount) - 1;
    const character = Math.min(Math.max((found.column ?? 1) - 1, 0), document.lineAt(line).text.length);
    const at = new vscode.Position(line, character);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(at, at), preview: true });
  }
}

/** A `path:line` link in a message's ordinary text, opened through the link the message carries for it, if any. */
async function openTextLinkOf(message: ConversationMessage, href: string): Promise<boolean> {
  const target = linkTarget(href);
  if (target?.kind !== 'workspace' || target.line === undefined) return false;
  const link = sentLinkFor(message.links, { path: target.relative, line: target.line });
  return link !== undefined && openTextLink(link, columnOf(href));
}

/** The column of a `path:line:column` href (linkTarget reads the line only). */
function columnOf(href: string): number | undefined {
  const column = /:\d{1,7}:(\d{1,7})$/.exec(href)?.[1];
  return column !== undefined ? Number(column) : undefined;
}

/** "Ask Team About This Problem…" on every diagnostic under the cursor (the light bulb, the Problems view). */
class AskAboutProblemActions implements vscode.CodeActionProvider {
  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics.slice(0, 3).map((diagnostic) => {
      const action = new vscode.CodeAction('Ask Team About This Problem…', vscode.CodeActionKind.QuickFix);
      action.command = { command: CodeCommand.askAboutProblem, title: 'Ask Team About This Problem…', arguments: [document.uri, diagnostic] };
      action.diagnostics = [diagnostic];
      return action;
    });
  }
}
