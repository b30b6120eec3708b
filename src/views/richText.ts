import * as fs from 'fs';
import * as vscode from 'vscode';
import type { CodeThemeView, FromWebview, ToWebview } from './chatProtocol';
import { isGrammarName, vscodeLanguageFor } from './codeLanguages';
import { affectsCodeTheme, readCodeTheme } from './codeTheme';
import { isInside, linkTarget } from './linkTargets';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { setStatusBarMessage, showWarningMessage } from './safeWindow';

export type RichTextRequest = Extract<FromWebview, { type: 'open-link' | 'copy-text' | 'open-snippet' | 'load-grammar' }>;

/**
 * The extension's half of formatted messages: the colours of the user's theme for code blocks
 * (sent again when the theme changes), grammars on demand, and what the webview's links and code
 * buttons ask for. A link is checked again here: web and mail addresses go to VS Code's
 * openExternal (which asks the user first for sites they have not trusted), paths open only from
 * this window's workspace folders, and anything else is refused.
 */
export class RichText extends Disposable {
  private theme: CodeThemeView | undefined;
  private reading = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly post: (message: ToWebview) => void,
  ) {
    super();
    this._register(vscode.window.onDidChangeActiveColorTheme(() => void this.refresh()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsCodeTheme(event)) void this.refresh();
      }),
    );
    void this.refresh();
  }

  /** The theme's colours once read (undefined the first moments: they follow as `code-theme`). */
  get codeTheme(): CodeThemeView | undefined {
    return this.theme;
  }

  private async refresh(): Promise<void> {
    const reading = ++this.reading;
    const theme = await readCodeTheme();
    // A later change overtook this read, or the panel is gone.
    if (reading !== this.reading || this.disposed) return;
    this.theme = theme;
    this.post({ type: 'code-theme', theme });
  }

  handle(request: RichTextRequest): Promise<void> {
    switch (request.type) {
      case 'open-link':
        return this.openLink(request.href);
      case 'copy-text':
        return this.copy(request.text);
      case 'open-snippet':
        return this.openSnippet(request.language, request.text);
      case 'load-grammar':
        return this.sendGrammar(request.language);
    }
  }

  private async openLink(href: string): Promise<void> {
    const target = linkTarget(href);
    if (!target) {
      await showWarningMessage(inert`Team Messenger does not open links like ${href}.`);
      return;
    }
    if (target.kind === 'external') {
      await vscode.env.openExternal(vscode.Uri.parse(target.url, true));
      return;
    }
    const found = await findInWorkspace(target.relative);
    if (!found) {
      await showWarningMessage(inert`${target.relative} is not in this window's workspace.`);
      return;
    }
    if (found.directory) {
      await vscode.commands.executeCommand('revealInExplorer', found.uri);
      return;
    }
    const selection =
      target.line !== undefined
        ? new vscode.Range(target.line - 1, 0, (target.endLine ?? target.line) - 1, target.endLine !== undefined ? Number.MAX_SAFE_INTEGER : 0)
        : undefined;
    await vscode.window.showTextDocument(found.uri, { preview: true, ...(selection ? { selection } : {}) });
  }

  private async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    setStatusBarMessage('$(copy) Code copied', 3000);
  }

  private async openSnippet(label: string, text: string): Promise<void> {
    const wanted = vscodeLanguageFor(label);
    const language = (await vscode.languages.getLanguages()).includes(wanted) ? wanted : 'plaintext';
    const document = await vscode.workspace.openTextDocument({ language, content: text });
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private async sendGrammar(name: string): Promise<void> {
    if (!isGrammarName(name)) {
      this.post({ type: 'grammar', language: name, grammars: undefined });
      return;
    }
    const file = vscode.Uri.joinPath(this.extensionUri, 'dist', 'grammars', `${name}.json`);
    let grammars: unknown[] | undefined;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8'));
      grammars = Array.isArray(parsed) ? parsed : undefined;
    } catch {
      grammars = undefined; // a build without grammars: code stays plain text
    }
    if (!this.disposed) this.post({ type: 'grammar', language: name, grammars });
  }
}

/** The first workspace folder holding `relative`, its real path inside the folder's (no symlink out). */
async function findInWorkspace(relative: string): Promise<{ uri: vscode.Uri; directory: boolean } | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, relative);
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    if (uri.scheme === 'file') {
      try {
        const [root, real] = await Promise.all([fs.promises.realpath(folder.uri.fsPath), fs.promises.realpath(uri.fsPath)]);
        if (!isInside(root, real)) continue;
      } catch {
        continue;
      }
    }
    return { uri, directory: (stat.type & vscode.FileType.Directory) !== 0 };
  }
  return undefined;
}
