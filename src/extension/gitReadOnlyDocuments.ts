import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../model/lifecycle';

/**
 * Read-only documents for what a peer shared and for a patch's result: a diff editor shows them
 * beside the user's files without an untitled document that asks to be saved on close. The path
 * names the document (its extension picks the language); only the latest ones stay readable.
 */
export class ReadOnlyDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'team-messenger-patch';
  /** The window's instance while the extension runs (the code-link commands reach it here). */
  static active: ReadOnlyDocuments | undefined;
  private readonly texts = new Map<string, string>();

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(ReadOnlyDocuments.scheme, this));
    ReadOnlyDocuments.active = this;
    this._register(
      toDisposable(() => {
        if (ReadOnlyDocuments.active === this) ReadOnlyDocuments.active = undefined;
      }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** A document at `path` (starting with '/') holding `text`. */
  open(path: string, text: string): vscode.Uri {
    if (this.texts.size > 200) this.texts.delete(this.texts.keys().next().value!);
    this.texts.set(path, text);
    return vscode.Uri.from({ scheme: ReadOnlyDocuments.scheme, path });
  }
}
