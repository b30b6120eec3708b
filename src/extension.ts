import * as vscode from 'vscode';
import { registerCommands } from './extension/commands';
import { vscodeCommandPorts } from './extension/commandPorts';
import { ConnectionManager } from './extension/connectionManager';
import { HostingInfo, LocalRelay } from './extension/localRelay';
import { channelLogger } from './extension/logChannel';
import { Messenger } from './model/messenger';
import { Secrets } from './extension/secrets';
import { readSettings, SECTION } from './extension/settings';
import { JoinUriHandler } from './extension/uriHandler';
import { ConversationId } from './model/conversationTypes';
import { ChatPanel } from './views/chatPanel';
import { MessageNotifications } from './views/notifications';
import { FileTransfersUi } from './views/fileTransfers';
import { PeersTree } from './views/peersTree';
import { StatusBar } from './views/statusBar';
import { showWarningMessage } from './views/safeWindow';
import { inert } from './model/inertText';

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
  const secrets = new Secrets(context.secrets, logger);
  const connections = new ConnectionManager(secrets, context.globalState, logger);
  const messenger = new Messenger(connections, context.globalState, logger, () => readSettings());
  const relay = new LocalRelay(context.globalStorageUri, secrets, context.globalState, logger);
  const files = new FileTransfersUi(messenger, () => readSettings());
  // Commands, a notification's Reply and Share Selection open the chat, whether or not a panel exists yet.
  const openChat = (id?: ConversationId) => void ChatPanel.show(context.extensionUri, messenger, id, true);
  context.subscriptions.push(
    log,
    // Order matters on the way out: the client leaves before the relay it may be hosting stops.
    relay,
    connections,
    messenger,
    files,
    new PeersTree(messenger, relay),
    new MessageNotifications(messenger, openChat),
    new StatusBar(messenger, relay),
    ChatPanel.registerSerializer(context.extensionUri, messenger),
    ...registerCommands({ messenger, connections, relay, secrets }, vscodeCommandPorts({ messenger, files, openChat, log })),
    new JoinUriHandler((command, ...args) => vscode.commands.executeCommand(command, ...args), logger),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = ['server', 'displayName', 'plainTcp', 'tlsCaFile'];
      if (keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`)) && connections.client) {
        const server = readSettings().server;
        // Joining sets the server it just connected to: nothing to reconnect for.
        const onlyServer = !keys.slice(1).some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
        if (onlyServer && server === connections.server && connections.connectionState !== 'closed') return;
        if (server && !relay.hosting)
          connections.connect(server).catch((err: Error) => logger.warn('reconnect after a settings change failed', { error: err.message }));
      }
    }),
  );
  log.info('Team Messenger activated');
  const settings = readSettings();
  if (relay.wasRunning) {
    // This window hosted the team's relay when it went (a reload): it comes back, on its port,
    // with its secret, certificate and history, and the others' clients resume.
    void vscode.commands.executeCommand('teamMessenger.startLocalRelay', { quiet: true }).then(undefined, (err: Error) => {
      logger.warn('cannot start the local relay again', { error: err.message });
      void showWarningMessage(inert`Team Messenger: the relay this window hosted could not start again: ${err.message}`, 'Show Log').then(
        (choice) => choice && log.show(),
      );
    });
  } else if (settings.autoConnect && settings.server) {
    connections.connect(settings.server).catch((err: Error) => logger.warn('auto-connect failed', { server: settings.server, error: err.message }));
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
