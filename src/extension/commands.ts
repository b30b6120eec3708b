import type * as vscode from 'vscode';
import { EXTENSION_ID, formatAddressBlock } from '../net/invite';
import type { CodeRef } from '../net/protocol/messages';
import { conversationIdForMembers, isConversationId } from '../model/conversationIds';
import type { ConversationId } from '../model/conversationTypes';
import type { FoundPeer } from '../model/foundPeers';
import { inert, InertText } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import type { Messenger } from '../model/messenger';
import type { PeerNode } from '../model/peersModel';
import type { PickedPeer } from '../views/peerSearchPick';
import type * as safeWindow from '../views/safeWindow';
import type { SafeQuickPickItem } from '../views/safeWindow';
import type { ConnectionManager } from './connectionManager';
import type { LocalRelay } from './localRelay';
import type { Secrets } from './secrets';
import { registerChannelCommands } from './channelCommands';
import { connectWithAnswers, registerConnectCommand } from './connectCommand';
import { FocusControls, registerFocusCommands } from './focusCommands';
import { DEFAULT_INVITE, registerInviteCommand } from './inviteTeammate';
import { joinFlow, joinTextOnOneLine, readJoinText } from './joinFlow';
import type { Settings } from './settings';

/**
 * What the commands need of VS Code and the views, given by the composition root (extension.ts):
 * nothing here is imported at run time from `vscode`, so the unit tests drive every command
 * with fakes of these ports.
 */
export interface CommandPorts {
  registerCommand(id: string, run: (...args: never[]) => unknown): IDisposable;
  executeCommand(id: string, ...args: unknown[]): PromiseLike<unknown>;
  window: Pick<typeof safeWindow, 'showErrorMessage' | 'showWarningMessage' | 'showInformationMessage' | 'showInputBox' | 'showQuickPick'> & {
    showOpenDialog(options: vscode.OpenDialogOptions): PromiseLike<vscode.Uri[] | undefined>;
    /** The active editor's document, when it is a file on this machine. */
    activeFile(): vscode.Uri | undefined;
    writeClipboard(text: string): PromiseLike<void>;
    readClipboard(): PromiseLike<string>;
  };
  /** A notification with a spinner while `task` runs (joining a team takes a moment). */
  progress<R>(title: InertText, task: () => Promise<R>): PromiseLike<R>;
  /** `vscode.env.uriScheme`: the scheme of links this VS Code opens (`vscode`, `vscode-insiders`…). */
  uriScheme: string;
  views: {
    /** Opens the chat panel (on a conversation), its composer focused. */
    openChat(conversationId?: ConversationId): void;
    /** Opens the chat panel's search pane (with this query). */
    searchMessages(query?: string): void;
    /** `includeOffline`: people seen before who are offline now are listed too. */
    pickPeers(title: InertText, options: { canPickMany: boolean; includeOffline?: boolean }): Promise<PickedPeer[] | undefined>;
    pickFromSearch(options: { title: InertText; canPickMany: boolean; initial: FoundPeer[] }): Promise<PickedPeer[] | undefined>;
    shareSelection(): Promise<void>;
    openSharedCode(code: CodeRef, text: string): Promise<void>;
    sendFiles(uris: vscode.Uri[], preselect?: string): Promise<void>;
  };
  settings: {
    read(): Settings;
    update(key: 'server' | 'displayName' | 'relay.keepRunning', value: string | boolean): PromiseLike<void>;
  };
  log: { error(text: string): void; show(): void };
}

export interface CommandContext {
  messenger: Messenger;
  connections: Pick<ConnectionManager, 'connect' | 'disconnect' | 'retry' | 'failure' | 'server' | 'trust' | 'client' | 'recentRelays'>;
  relay: Pick<LocalRelay, 'start' | 'stop' | 'hosting' | 'inBackground'>;
  secrets: Pick<Secrets, 'teamSecret' | 'setTeamSecret'>;
  /** The user's status and the conversations' notification levels. */
  focus: FocusControls;
}

/** Every command of the extension, registered in one place and disposed with it. */
export function registerCommands(c: CommandContext, ports: CommandPorts): IDisposable[] {
  const { messenger, relay, secrets, connections } = c;
  const { window, views } = ports;
  const { showErrorMessage, showInformationMessage, showInputBox, showQuickPick } = window;
  const askSecret = (prompt: InertText) => showInputBox({ title: inert`Team Secret`, prompt, password: true, ignoreFocusOut: true });
  const register = (id: string, run: (...args: never[]) => unknown) =>
    ports.registerCommand(id, async (...args: never[]) => {
      try {
        await run(...args);
      } catch (err) {
        ports.log.error(`${id} failed: ${(err as Error).message}`);
        void showErrorMessage(inert((err as Error).message));
      }
    });

  const connectTo = connectWithAnswers(c, ports);
  const join = joinFlow(c, ports);

  return [
    registerConnectCommand(c, ports, register, join),
    registerInviteCommand(c, ports, register),
    ...registerChannelCommands(messenger, ports, register),
    ...registerFocusCommands(c.focus, ports, register),
    register('teamMessenger.pasteInvite', async () => {
      const text = await showInputBox({
        title: inert`Paste Invite`,
        prompt: inert`The invite link or tm1.… text a teammate sent (or the relay address block)`,
        value: joinTextOnOneLine(await window.readClipboard()) ?? '',
        placeHolder: inert`tm1.…`,
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            readJoinText(v);
            return undefined;
          } catch (err) {
            return inert((err as Error).message);
          }
        },
      });
      if (text) await join.joinText(text);
    }),
    // What the URI handler runs for a `…/join?invite=` link: the same as pasting it.
    register('teamMessenger.joinInvite', (text: unknown) => join.joinText(typeof text === 'string' ? text : '')),
    register('teamMessenger.openWalkthrough', () =>
      ports.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#teamMessenger.getStarted`, false),
    ),
    register('teamMessenger.disconnect', () => connections.disconnect()),
    // Its failures are the ConnectionManager's to tell (once a relay), as for any background retry.
    register('teamMessenger.retryConnect', () => connections.retry()),
    register('teamMessenger.openChat', () => views.openChat()),
    register('teamMessenger.openConversation', (id: unknown) => views.openChat(isConversationId(id) ? id : undefined)),
    // `quiet`: started again after a window reload, which the host did not ask for just now.
    register('teamMessenger.startLocalRelay', async (options?: { quiet?: boolean }) => {
      const hosting = await relay.start();
      await connectTo(`127.0.0.1:${hosting.port}`, { pin: hosting.fingerprint });
      if (options?.quiet) return;
      const where = hosting.addresses.join(', ');
      const keep = inert`Keep It Running`;
      // Not awaited: the command is done once the relay runs; the notification may sit unanswered.
      void showInformationMessage(
        relay.inBackground
          ? inert`Hosting a relay on port ${hosting.port}. Teammates connect to ${where} with the team secret; its certificate fingerprint is ${hosting.fingerprint}. It runs on its own and keeps running when VS Code closes; Stop Local Relay ends it.`
          : inert`Hosting a relay on port ${hosting.port}. Teammates connect to ${where} with the team secret; its certificate fingerprint is ${hosting.fingerprint}. An invite link lets them in without the secret. It runs in this window: closing VS Code stops it for the team until you open VS Code again, unless you keep it running on its own.`,
        inert`Invite Teammate…`,
        inert`Copy Address and Secret`,
        ...(relay.inBackground ? [] : [keep]),
      ).then(async (choice) => {
        if (choice === 'Invite Teammate…') void ports.executeCommand('teamMessenger.inviteTeammate');
        if (choice === 'Copy Address and Secret') void window.writeClipboard(formatAddressBlock(hosting.addresses[0], hosting.secret, hosting.fingerprint));
        if (choice === keep) {
          // The same relay (port, secret, certificate, history) moves to a process of its own.
          await ports.settings.update('relay.keepRunning', true);
          await relay.stop({ forget: false });
          const moved = await relay.start();
          await connectTo(`127.0.0.1:${moved.port}`, { pin: moved.fingerprint });
        }
      });
    }),
    register('teamMessenger.stopLocalRelay', async () => {
      const wasConnectedHere = connections.server.startsWith('127.0.0.1:') && relay.hosting && connections.server.endsWith(`:${relay.hosting.port}`);
      await relay.stop();
      if (wasConnectedHere) await connections.disconnect();
    }),
    register('teamMessenger.setTeamSecret', async () => {
      const secret = await askSecret(inert`The team secret (kept in your OS keychain, never in settings). Leave empty to remove it.`);
      if (secret === undefined) return;
      await secrets.setTeamSecret(secret || undefined);
      if (connections.server) await connectTo(connections.server);
    }),
    register('teamMessenger.sendFileToPeer', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
      let uris = selected && selected.length > 0 ? selected : clicked ? [clicked] : [];
      if (uris.length === 0) {
        const active = window.activeFile();
        uris = active ? [active] : ((await window.showOpenDialog({ canSelectMany: true, canSelectFolders: true, openLabel: 'Send' })) ?? []);
      }
      if (uris.length) await views.sendFiles(uris);
    }),
    register('teamMessenger.sendFileToThisPeer', async (node?: PeerNode) => {
      if (!node?.clientId) return;
      const uris = await window.showOpenDialog({
        canSelectMany: true,
        canSelectFiles: true,
        canSelectFolders: true,
        openLabel: inert`Send to ${node.label}`,
      });
      if (uris?.length) await views.sendFiles(uris, node.clientId);
    }),
    register('teamMessenger.shareSelection', () => views.shareSelection()),
    register('teamMessenger.openSharedCode', (code: CodeRef, text: string) => views.openSharedCode(code, text)),
    register('teamMessenger.newGroupConversation', async () => {
      const peers = await views.pickPeers(inert`New Group Conversation`, { canPickMany: true });
      if (!peers) return;
      const id = conversationIdForMembers(
        peers.map((p) => p.clientId),
        messenger.selfId,
      );
      views.openChat(id);
    }),
    register('teamMessenger.findPeer', async () => {
      const picked = await views.pickFromSearch({ title: inert`Find Peer`, canPickMany: false, initial: messenger.watchedOnline() });
      if (!picked) return;
      // Watched from now on: listed in the Peers view, and told when they come and go.
      await messenger.addFound(picked.map((p) => p.clientId));
      views.openChat(`peer:${picked[0].clientId}`);
    }),
    register('teamMessenger.pingPeer', async (node?: PeerNode) => {
      if (!node?.clientId) return;
      const rtt = await messenger.pingPeer(node.clientId);
      void showInformationMessage(inert`Round trip to ${node.label}: ${rtt.toFixed(1)} ms`);
    }),
    register('teamMessenger.showLog', () => ports.log.show()),
    register('teamMessenger.showActions', async () => {
      const state = messenger.connectionState;
      const failure = state === 'connected' ? undefined : connections.failure;
      const actions: (SafeQuickPickItem & { command: string; args?: unknown[] })[] = [
        // The relay cannot be used: the ways on first, the reason beside them.
        ...(failure
          ? [
              { label: inert`$(refresh) Retry`, description: inert(failure.cause, { maxChars: 200 }), command: 'teamMessenger.retryConnect' },
              { label: inert`$(edit) Change Address…`, description: inert(failure.server), command: 'teamMessenger.connect' },
            ]
          : []),
        { label: inert`$(comment-discussion) Open Chat`, command: 'teamMessenger.openChat' },
        ...(state === 'connected' || state === 'reconnecting' || state === 'connecting'
          ? [{ label: inert`$(debug-disconnect) Disconnect`, description: inert(connections.server), command: 'teamMessenger.disconnect' }]
          : failure
            ? [] // Change Address… is Connect to Relay…
            : [{ label: inert`$(plug) Connect to Relay…`, command: 'teamMessenger.connect' }]),
        relay.hosting
          ? { label: inert`$(circle-slash) Stop Local Relay`, description: inert(relay.hosting.addresses.join(', ')), command: 'teamMessenger.stopLocalRelay' }
          : { label: inert`$(broadcast) Start Local Relay`, command: 'teamMessenger.startLocalRelay' },
        ...(state === 'connected'
          ? [
              {
                label: inert`$(person-add) Copy Invite`,
                description: inert`a link for one person, valid 7 days`,
                command: 'teamMessenger.inviteTeammate',
                args: [DEFAULT_INVITE],
              },
            ]
          : [{ label: inert`$(link) Paste Invite…`, command: 'teamMessenger.pasteInvite' }]),
        { label: inert`$(person) Set Status…`, command: 'teamMessenger.setStatus' },
        { label: inert`$(key) Set Team Secret…`, command: 'teamMessenger.setTeamSecret' },
        { label: inert`$(output) Show Log`, command: 'teamMessenger.showLog' },
      ];
      const picked = await showQuickPick(actions, { title: inert`Team Messenger` });
      if (picked) await ports.executeCommand(picked.command, ...(picked.args ?? []));
    }),
  ];
}
