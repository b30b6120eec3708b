import * as vscode from 'vscode';

/** The extension's entry point. The views and commands arrive with the extension issue. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Team Messenger', { log: true });
  context.subscriptions.push(log);
  log.info('Team Messenger activated');
}

export function deactivate(): void {}
