import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SavedPlace } from '../model/fileCardTypes';
import { inert } from '../model/inertText';
import { showWarningMessage } from './safeWindow';

/**
 * Open and Reveal for a received file or folder. Open shows a file in an editor; a folder is
 * never "opened" as its first file: it is revealed in VS Code's Explorer when it is inside the
 * workspace, else opened as a folder in a new window. Reveal uses the system's file manager on
 * desktop; where VS Code runs in a browser or on a remote machine there is none to reach (the
 * command does nothing there), so the place is shown in VS Code instead, the same way.
 */

export async function openPlace(place: SavedPlace): Promise<void> {
  const uri = vscode.Uri.file(place.path);
  if (!(await exists(uri))) return;
  if (place.folder) return showInVsCode(uri, true);
  await vscode.commands.executeCommand('vscode.open', uri);
}

export async function revealPlace(place: SavedPlace): Promise<void> {
  const uri = vscode.Uri.file(place.path);
  if (!(await exists(uri))) return;
  if (hasSystemFileManager()) {
    await vscode.commands.executeCommand('revealFileInOS', uri);
    return;
  }
  await showInVsCode(uri, place.folder);
}

/** Desktop VS Code with the files on this machine: `revealFileInOS` reaches the file manager. */
export function hasSystemFileManager(): boolean {
  return vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName;
}

/** The label Reveal gets where it is: what the button will do. */
export function revealLabel(): 'Reveal in File Explorer' | 'Reveal in Explorer' {
  return hasSystemFileManager() ? 'Reveal in File Explorer' : 'Reveal in Explorer';
}

/** In the workspace: selected in the Explorer. Outside it: its folder in a new window. */
async function showInVsCode(uri: vscode.Uri, folder: boolean): Promise<void> {
  if (vscode.workspace.getWorkspaceFolder(uri)) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return;
  }
  const dir = folder ? uri : vscode.Uri.file(path.dirname(uri.fsPath));
  await vscode.commands.executeCommand('vscode.openFolder', dir, { forceNewWindow: true });
}

/** A card can outlive its file (moved, deleted): say so rather than fail quietly. */
async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    void showWarningMessage(inert`${uri.fsPath} is not there any more (moved or deleted).`);
    return false;
  }
}
