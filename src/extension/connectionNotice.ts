import * as vscode from 'vscode';
import type { ConnectionFailure } from '../model/connectionFailure';
import { inert } from '../model/inertText';
import { showErrorMessage, showWarningMessage } from '../views/safeWindow';

/**
 * The notification after a relay could not be used (the ConnectionManager says it once per
 * relay; later retries stay quiet): the reason in plain words, and the ways on from there.
 * A failure the client keeps retrying is a warning, one it gave up on an error.
 */
export function showConnectionFailure(failure: ConnectionFailure, retrying: boolean): void {
  const show = retrying ? showWarningMessage : showErrorMessage;
  const message = retrying ? inert`Team Messenger: ${failure.text}. Still trying in the background.` : inert`Team Messenger: ${failure.text}.`;
  void show(message, 'Retry', 'Change Address…', 'Show Log').then((choice) => {
    if (choice === 'Retry') void vscode.commands.executeCommand('teamMessenger.retryConnect');
    if (choice === 'Change Address…') void vscode.commands.executeCommand('teamMessenger.connect');
    if (choice === 'Show Log') void vscode.commands.executeCommand('teamMessenger.showLog');
  });
}
