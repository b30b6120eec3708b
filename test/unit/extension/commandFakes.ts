/**
 * Fakes of the commands' ports and of the composition root's collaborators, recording what the
 * commands did, so every command runs in plain Node (see src/extension/commandPorts.ts).
 */
import { strict as assert } from 'node:assert';
import type { CommandContext, CommandPorts } from '../../../src/extension/commands';
import type { ConnectOptions } from '../../../src/extension/connectionManager';
import type { Settings } from '../../../src/extension/settings';
import { UserStatus } from '../../../src/extension/userStatus';
import { ConversationLevels } from '../../../src/model/conversationMute';
import { silentLogger } from '../../../src/net/logger';
import { MemoryState } from '../helpers/savedState';
import type { ConnectionFailure } from '../../../src/model/connectionFailure';
import type { ConversationId } from '../../../src/model/conversationTypes';
import type { Messenger } from '../../../src/model/messenger';
import type { PickedPeer } from '../../../src/views/peerSearchPick';
import type { SafeInputBoxOptions, SafeQuickPickItem } from '../../../src/views/safeWindow';

const JOINER = /\u2060/g;

/** Text as a person sees it: the invisible joiners of `inert` taken out. */
export function visible(text: string): string {
  return text.replace(JOINER, '');
}

export interface Shown {
  level: 'error' | 'warning' | 'info';
  /** The message's visible characters. */
  message: string;
  items: string[];
  modal: boolean;
  detail?: string;
}

/** Fakes of every port, recording what the commands did; answers are queued per kind. */
export class Fakes {
  readonly commands = new Map<string, (...args: never[]) => unknown>();
  readonly executed: string[] = [];
  readonly executedArgs: unknown[][] = [];
  readonly shown: Shown[] = [];
  /** The messages exactly as VS Code would have received them. */
  readonly raw: string[] = [];
  readonly logged: string[] = [];
  readonly chats: (ConversationId | undefined)[] = [];
  /** What Search Messages… opened the panel's search with. */
  readonly searches: (string | undefined)[] = [];
  /** Answers to the next peer pickers, in order, and their titles. */
  readonly peerPicks: (PickedPeer[] | undefined)[] = [];
  readonly peerPickTitles: string[] = [];
  readonly peerPickOptions: { canPickMany: boolean; includeOffline?: boolean }[] = [];
  readonly clipboard: string[] = [];
  /** What the clipboard holds before a command reads it. */
  clipboardText = '';
  readonly settings: Partial<Settings> = { server: '' };
  readonly settingUpdates: string[] = [];
  /** Answers to the next notifications (a button) and input boxes, in order. */
  readonly answers: (string | undefined)[] = [];
  readonly inputs: (string | undefined)[] = [];
  /** The input boxes shown, with their options (prefilled value, validation). */
  readonly inputBoxes: SafeInputBoxOptions[] = [];
  /** Answers to the next quick picks: the item whose visible label contains the text, or none. */
  readonly picks: (string | undefined)[] = [];
  /** The quick picks shown: their items' visible labels. */
  readonly quickPicks: string[][] = [];
  readonly progressTitles: string[] = [];

  ports(): CommandPorts {
    const show =
      (level: Shown['level']) =>
      (message: string, ...rest: unknown[]): Thenable<never> => {
        const options = typeof rest[0] === 'object' ? (rest.shift() as { modal?: boolean; detail?: string }) : {};
        this.raw.push(message);
        this.shown.push({
          level,
          message: visible(message),
          items: rest as string[],
          modal: options.modal === true,
          ...(options.detail ? { detail: visible(options.detail) } : {}),
        });
        return Promise.resolve(this.answers.shift() as never);
      };
    const showQuickPick = (items: readonly SafeQuickPickItem[]) => {
      const labels = items.map((i) => visible(i.label));
      this.quickPicks.push(labels);
      const wanted = this.picks.shift();
      return Promise.resolve(wanted === undefined ? undefined : items.find((i) => visible(i.label).includes(wanted)));
    };
    return {
      registerCommand: (id, run) => {
        this.commands.set(id, run);
        return { dispose: () => this.commands.delete(id) };
      },
      executeCommand: (id, ...args) => {
        this.executed.push(id);
        this.executedArgs.push(args);
        return Promise.resolve(undefined);
      },
      window: {
        showErrorMessage: show('error') as CommandPorts['window']['showErrorMessage'],
        showWarningMessage: show('warning') as CommandPorts['window']['showWarningMessage'],
        showInformationMessage: show('info') as CommandPorts['window']['showInformationMessage'],
        showInputBox: (options) => {
          this.inputBoxes.push(options);
          return Promise.resolve(this.inputs.shift());
        },
        showQuickPick: showQuickPick as CommandPorts['window']['showQuickPick'],
        showOpenDialog: () => Promise.resolve(undefined),
        activeFile: () => undefined,
        writeClipboard: (text) => {
          this.clipboard.push(text);
          return Promise.resolve();
        },
        readClipboard: () => Promise.resolve(this.clipboardText),
      },
      progress: (title, task) => {
        this.progressTitles.push(visible(title));
        return task();
      },
      uriScheme: 'vscode',
      views: {
        openChat: (id) => void this.chats.push(id),
        searchMessages: (query) => void this.searches.push(query),
        pickPeers: (title, options) => {
          this.peerPickTitles.push(visible(title));
          this.peerPickOptions.push(options);
          return Promise.resolve(this.peerPicks.shift());
        },
        pickFromSearch: () => Promise.resolve(undefined),
        shareSelection: () => Promise.resolve(),
        openSharedCode: () => Promise.resolve(),
        sendFiles: () => Promise.resolve(),
      },
      settings: {
        read: () => this.settings as Settings,
        update: (key, value) => {
          if (key === 'relay.keepRunning') this.settings.relayKeepRunning = value === true;
          else this.settings[key] = String(value);
          this.settingUpdates.push(`${key}=${value}`);
          return Promise.resolve();
        },
      },
      log: { error: (text) => this.logged.push(text), show: () => this.executed.push('log.show') },
    };
  }

  /** Runs a registered command as VS Code would. */
  async run(id: string, ...args: unknown[]): Promise<void> {
    const command = this.commands.get(id);
    assert.ok(command, `${id} is registered`);
    await (command as (...a: unknown[]) => unknown)(...args);
  }
}

/** What the fake relay client answers Invite Teammate… with. */
export interface FakeClient {
  name: string;
  relayFingerprint: string | undefined;
  invitesAsked: { ttlMs?: number; uses?: number }[];
  invites: { create(ask: { ttlMs?: number; uses?: number }): Promise<{ invite: { expiresAt: number; uses: number }; token: string }> };
}

export const TOKEN = 'AbCdEfGhIjKl.' + 'x'.repeat(32);
export const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

export function fakeClient(overrides: Partial<Pick<FakeClient, 'name' | 'relayFingerprint'>> = {}): FakeClient {
  const client: FakeClient = {
    name: 'alice',
    relayFingerprint: FINGERPRINT,
    invitesAsked: [],
    invites: {
      create: async (ask) => {
        client.invitesAsked.push(ask);
        return { invite: { expiresAt: Date.now() + (ask.ttlMs ?? 0), uses: ask.uses ?? 1 }, token: TOKEN };
      },
    },
    ...overrides,
  };
  return client;
}

export interface ContextOverrides {
  connect?: (server: string, options: ConnectOptions) => Promise<void>;
  secret?: string;
  /** The client's state before the command runs (default idle: not connected). */
  state?: string;
  /** The relay this window is connected to before the command runs. */
  server?: string;
  client?: FakeClient;
  recent?: string[];
  hosting?: boolean;
  /** Why the wanted relay cannot be used, as the ConnectionManager says it. */
  failure?: ConnectionFailure;
}

/** The composition root's collaborators, as small fakes that record calls. */
export function context(overrides: ContextOverrides = {}) {
  const calls: string[] = [];
  const connected: { server: string; options: ConnectOptions }[] = [];
  let server = overrides.server ?? '';
  let secret = overrides.secret;
  const hosting = { port: 4242, addresses: ['192.0.2.7:4242'], secret: 'hosted-secret', fingerprint: 'AB:CD' };
  let hosted: typeof hosting | undefined = overrides.hosting ? hosting : undefined;
  const messenger = { selfId: 'self', connectionState: overrides.state ?? 'idle', watchedOnline: () => [] };
  // The real status and levels, kept in memory; a status the relay would be told is a call.
  const status = new UserStatus(new MemoryState(), (value) => calls.push(`status ${value}`));
  const levels = new ConversationLevels(new MemoryState(), silentLogger);
  const c: CommandContext = {
    messenger: messenger as unknown as Messenger,
    connections: {
      connect: async (address?: string, options: ConnectOptions = {}) => {
        const extra = [
          options.pin && `pin ${options.pin}`,
          options.invite && `invite`,
          options.secret && `secret ${options.secret}`,
          options.fingerprint && 'fingerprint',
        ];
        calls.push(
          `connect ${address}${extra
            .filter(Boolean)
            .map((e) => ` ${e}`)
            .join('')}`,
        );
        connected.push({ server: address ?? '', options });
        server = address ?? '';
        messenger.connectionState = 'connecting';
        try {
          await overrides.connect?.(address ?? '', options);
        } catch (err) {
          messenger.connectionState = 'closed';
          throw err;
        }
        messenger.connectionState = 'connected';
      },
      disconnect: async () => void calls.push('disconnect'),
      retry: () => void calls.push('retry'),
      get failure() {
        return overrides.failure;
      },
      get server() {
        return server;
      },
      get client() {
        return overrides.client as unknown as CommandContext['connections']['client'];
      },
      recentRelays: () => overrides.recent ?? [],
      trust: { forget: async (s: string) => void calls.push(`forget ${s}`) } as CommandContext['connections']['trust'],
    },
    relay: {
      inBackground: false,
      start: async () => {
        calls.push('relay start');
        return (hosted = hosting);
      },
      stop: async (options?: { forget: boolean }) => {
        calls.push(options?.forget === false ? 'relay stop (kept)' : 'relay stop');
        hosted = undefined;
      },
      get hosting() {
        return hosted;
      },
    },
    secrets: {
      teamSecret: async () => secret,
      setTeamSecret: async (value?: string) => {
        calls.push(`secret ${value ?? '(removed)'}`);
        secret = value;
      },
    },
    focus: {
      status,
      levels,
      defaultLevel: (id) => (id.startsWith('peer:') || id.startsWith('group:') ? 'all' : 'mentions'),
      title: (id) => (id === 'all' ? '#general' : id),
      sendUrgent: (id, text) => {
        calls.push(`urgent ${id} ${text}`);
        return overrides.state === 'connected';
      },
    },
  };
  return { c, calls, connected, messenger, status, levels };
}
