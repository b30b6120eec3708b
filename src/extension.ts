import * as vscode from 'vscode';
import { registerCommands } from './extension/commands';
import { vscodeCommandPorts } from './extension/commandPorts';
import { ConnectionManager } from './extension/connectionManager';
import { FocusedNotifications } from './extension/focusWiring';
import { showConnectionFailure } from './extension/connectionNotice';
import { HostingInfo, LocalRelay } from './extension/localRelay';
import { channelLogger } from './extension/logChannel';
import { Messenger } from './model/messenger';
import { Secrets } from './extension/secrets';
import { readSettings, SECTION } from './extension/settings';
import { openMessageLink } from './extension/linkOpener';
import { TeamUriHandler } from './extension/uriHandler';
import { ConversationId } from './model/conversationTypes';
import { FileCards } from './model/fileCards';
import { FileCardsPersistence } from './model/fileCardsPersistence';
import { wireAttachments } from './extension/attachmentsWiring';
import { CodeMessages } from './extension/codeMessagesWiring';
import { textLinksInWorkspace } from './extension/gitWorkspace';
import { ChatContext, ChatPanel } from './views/chatPanel';
import { FileTransfersUi } from './views/fileTransfers';
import { PeersTree } from './views/peersTree';
import { StatusBar } from './views/statusBar';
import { setStatusBarMessage, showWarningMessage } from './views/safeWindow';
import { inert } from './model/inertText';
import { prefixedLogger } from './net/logger';

/**
 * Wires the parts together. Everything created here is disposed with the extension: the
 * client (which says goodbye to the relay), a local relay (which tells its clients), views,
 * commands and listeners.
 */
/** What activate() returns: enough for tests and other extensions to find the relay this window hosts. */
export interface TeamMessengerApi {
  /** Port, teammate addresses and secret while this window hosts a relay. */
  readonly hosting: HostingInfo | undefined;
  /** The connection state of this window's client. */
  readonly state: string;
  /** Names of the peers online now. */
  onlinePeers(): string[];
}

export function activate(context: vscode.ExtensionContext): TeamMessengerApi {
  const log = vscode.window.createOutputChannel('Team Messenger', { log: true });
  const logger = channelLogger(log);
  // The relay this window may host logs into the same channel as [relay]: the client's side says [client].
  const clientLogger = prefixedLogger(logger, 'client');
  const secrets = new Secrets(context.secrets, clientLogger);
  const connections = new ConnectionManager(
    secrets,
    context.globalState,
    vscode.Uri.joinPath(context.globalStorageUri, 'pinned-certificates.json').fsPath,
    logger,
    showConnectionFailure,
  );
  const messenger = new Messenger(connections, context.globalState, clientLogger, () => readSettings());
  const relay = new LocalRelay(context.globalStorageUri, context.extensionUri, secrets, context.globalState, logger);
  const downloadPlace = () => {
    const { downloadFolder, maxFileSizeMB } = readSettings();
    return { dir: downloadFolder, ...(maxFileSizeMB > 0 ? { maxFileBytes: maxFileSizeMB * 1024 * 1024 } : {}) };
  };
  const cards = new FileCards(messenger, downloadPlace, new FileCardsPersistence(context.globalState, logger));
  const attachments = wireAttachments({
    connections,
    messenger,
    cards,
    globalStorage: context.globalStorageUri,
    workspaceState: context.workspaceState,
    logger: clientLogger,
  });
  const chat: ChatContext = {
    extensionUri: context.extensionUri,
    messenger,
    cards,
    attachments: attachments.context,
    textLinks: (text) => textLinksInWorkspace(text),
  };
  // Commands, a notification's Reply and Share Selection open the chat, whether or not a panel exists yet.
  const openChat = (id?: ConversationId) => ChatPanel.show(chat, id, true);
  const files = new FileTransfersUi(messenger, cards, openChat);
  const focus = new FocusedNotifications({
    messenger,
    state: context.globalState,
    logger: clientLogger,
    useStatusFor: (status) => (connections.statusFor = status),
    reveal: openChat,
  });
  chat.notifyLevels = focus.notifyLevels;
  context.subscriptions.push(
    log,
    // Order matters on the way out: the client leaves before the relay it may be hosting stops.
    relay,
    connections,
    messenger,
    cards,
    attachments,
    files,
    new CodeMessages(messenger, openChat),
    new PeersTree(messenger, relay, connections),
    focus,
    new StatusBar(messenger, relay, connections),
    ChatPanel.registerSerializer(chat),
    ...registerCommands(
      { messenger, connections, relay, secrets, focus: focus.controls },
      vscodeCommandPorts({ messenger, files, openChat, searchMessages: (query) => ChatPanel.showSearch(chat, query), log }),
    ),
    new TeamUriHandler({
      run: (command, ...args) => vscode.commands.executeCommand(command, ...args),
      openMessage: (parts) =>
        openMessageLink(parts, {
          model: messenger,
          show: (id, messageId, threadId) => ChatPanel.show(chat, id, false, { messageId, ...(threadId !== undefined ? { threadId } : {}) }),
          warn: showWarningMessage,
          connect: () => void vscode.commands.executeCommand('teamMessenger.connect'),
          waiting: () => setStatusBarMessage('$(sync~spin) Team Messenger: opening the message link once connected…', 20_000),
          logger: clientLogger,
        }),
      logger: clientLogger,
    }),
    // Through the ConnectionManager's one queue, like every other request: a relay it already
    // wants (Connect… and joining write the setting once connected) is not connected twice.
    vscode.workspace.onDidChangeConfiguration((e) => {
      const affects = (key: string) => e.affectsConfiguration(`${SECTION}.${key}`);
      // While hosting, the client stays on this window's own relay whatever the setting says.
      const server = affects('server') && !relay.hosting ? readSettings().server : undefined;
      connections.settingsChanged(server, ['displayName', 'plainTcp', 'tlsCaFile'].some(affects));
    }),
  );
  log.info('Team Messenger activated');
  const settings = readSettings();
  const wasRunning = relay.wasRunning;
  if (wasRunning) {
    // This window hosted the team's relay when it went (a reload): it comes back, on its port,
    // with its secret, certificate and history, and the others' clients resume. The record is
    // shared by every window: a second window finds the relay running in the first and joins it.
    void vscode.commands.executeCommand('teamMessenger.startLocalRelay', { quiet: true }).then(undefined, (err: Error) => {
      if (/already in use/.test(err.message)) {
        logger.info('the local relay runs in another window; connecting to it', { port: wasRunning.port });
        connections
          .connect(`127.0.0.1:${wasRunning.port}`)
          .catch((e: Error) => clientLogger.warn('connecting to the relay of another window failed', { error: e.message }));
        return;
      }
      logger.warn('cannot start the local relay again', { error: err.message });
      void showWarningMessage(inert`Team Messenger: the relay this window hosted could not start again: ${err.message}`, 'Show Log').then(
        (choice) => choice && log.show(),
      );
    });
  } else if (settings.autoConnect && settings.server) {
    connections.connect(settings.server).catch((err: Error) => clientLogger.warn('auto-connect failed', { server: settings.server, error: err.message }));
  }
  return {
    get hosting() {
      return relay.hosting;
    },
    get state() {
      return connections.connectionState;
    },
    onlinePeers: () => [...new Set([...(connections.client?.peers.values() ?? [])].map((p) => p.name))],
  };
}

export function deactivate(): void {}
