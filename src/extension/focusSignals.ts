import * as vscode from 'vscode';
import { Disposable } from '../model/lifecycle';
import type { QuietMode } from '../model/quietMode';
import type { IdleWatch } from './idleAway';

/** Documents a person types into: files, untitled ones and notebook cells (not output or logs). */
const TYPED_SCHEMES = new Set(['file', 'untitled', 'vscode-notebook-cell', 'vscode-remote', 'vscode-userdata']);

/**
 * What VS Code says about the user's focus, passed on: debug sessions starting and ending and
 * typing in the active editor go to quiet mode; any sign of the user (typing, moving the cursor,
 * switching editors, focusing the window) goes to the idle watch.
 */
export class EditorFocusSignals extends Disposable {
  constructor(quiet: QuietMode, idle: IdleWatch) {
    super();
    if (vscode.debug.activeDebugSession) quiet.debugStarted(vscode.debug.activeDebugSession.id);
    this._register(vscode.debug.onDidStartDebugSession((session) => quiet.debugStarted(session.id)));
    this._register(vscode.debug.onDidTerminateDebugSession((session) => quiet.debugEnded(session.id)));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Only the person's own typing: an edit in the editor they are in, with the window focused
        // (not a formatter run on save elsewhere, a git checkout or an extension's edits).
        if (e.contentChanges.length === 0 || !vscode.window.state.focused) return;
        if (!TYPED_SCHEMES.has(e.document.uri.scheme) || vscode.window.activeTextEditor?.document !== e.document) return;
        quiet.typed();
        idle.activity();
      }),
    );
    this._register(vscode.window.onDidChangeTextEditorSelection(() => idle.activity()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => idle.activity()));
    this._register(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && state.active) idle.activity();
      }),
    );
  }
}

/** Whether the user is at this window now: focused and interacted with recently. */
export function userAtWindow(): boolean {
  return vscode.window.state.focused && vscode.window.state.active;
}
