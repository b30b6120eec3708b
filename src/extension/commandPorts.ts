import * as vscode from 'vscode';
import type { Messenger } from '../model/messenger';
import type { ConversationId } from '../model/conversationTypes';
import type { FileTransfersUi } from '../views/fileTransfers';
import { pickPeers } from '../views/peerPicker';
import { pickFromSearch } from '../views/peerSearchPick';
import * as safeWindow from '../views/safeWindow';
import { shareSelection } from '../views/sharedCode';
import type { CommandPorts } from './commands';
import { codeLinkFor, openSharedCodeRef } from './gitWorkspace';
import { readSettings, updateSetting } from './settings';

/** A selection's repository, commit, repository-relative path and hash (issue 28), when it has a repository. */
async function sharedLink(document: vscode.TextDocument, startLine: number, endLine: number) {
  const link = await codeLinkFor(document, startLine, endLine);
  if (!link || link.repositories.length === 0) return link?.snippetHash !== undefined ? { snippetHash: link.snippetHash } : undefined;
  return {
    path: link.path,
    repositories: link.repositories,
    ...(link.commit !== undefined ? { commit: link.commit } : {}),
    ...(link.snippetHash !== undefined ? { snippetHash: link.snippetHash } : {}),
  };
}

/** The commands' ports in VS Code: the real window, commands, views and settings. */
export function vscodeCommandPorts(deps: {
  messenger: Messenger;
  files: FileTransfersUi;
  openChat: (conversationId?: ConversationId) => void;
  searchMessages: (query?: string) => void;
  log: vscode.LogOutputChannel;
}): CommandPorts {
  const { messenger } = deps;
  return {
    registerCommand: (id, run) => vscode.commands.registerCommand(id, run),
    executeCommand: (id, ...args) => vscode.commands.executeCommand(id, ...args),
    window: {
      showErrorMessage: safeWindow.showErrorMessage,
      showWarningMessage: safeWindow.showWarningMessage,
      showInformationMessage: safeWindow.showInformationMessage,
      showInputBox: safeWindow.showInputBox,
      showQuickPick: safeWindow.showQuickPick,
      showOpenDialog: (options) => vscode.window.showOpenDialog(options),
      activeFile: () => {
        const uri = vscode.window.activeTextEditor?.document.uri;
        return uri?.scheme === 'file' ? uri : undefined;
      },
      writeClipboard: (text) => vscode.env.clipboard.writeText(text),
      readClipboard: () => vscode.env.clipboard.readText(),
    },
    progress: (title, task) => safeWindow.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => task()),
    uriScheme: vscode.env.uriScheme,
    views: {
      openChat: deps.openChat,
      searchMessages: deps.searchMessages,
      pickPeers: (title, options) => pickPeers(messenger, title, options),
      pickFromSearch: (options) => pickFromSearch(messenger, options),
      shareSelection: () => shareSelection(messenger, vscode.window.activeTextEditor, (id) => deps.openChat(id), sharedLink),
      openSharedCode: openSharedCodeRef,
      sendFiles: (uris, preselect) => deps.files.send(uris, preselect),
    },
    settings: { read: readSettings, update: updateSetting },
    log: { error: (text) => deps.log.error(text), show: () => deps.log.show() },
  };
}
