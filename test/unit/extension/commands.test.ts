import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { CommandContext, CommandPorts, registerCommands } from '../../../src/extension/commands';
import type { Settings } from '../../../src/extension/settings';
import type { ConversationId } from '../../../src/model/conversationTypes';
import type { Messenger } from '../../../src/model/messenger';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const JOINER = /\u2060/g;

interface Shown {
  level: 'error' | 'warning' | 'info';
  /** The message's visible characters (the invisible joiners of `inert` taken out). */
  message: string;
  items: string[];
  modal: boolean;
}

/** Fakes of every port, recording what the commands did; answers are queued per kind. */
class Fakes {
  readonly commands = new Map<string, (...args: never[]) => unknown>();
  readonly executed: string[] = [];
  readonly shown: Shown[] = [];
  /** The messages exactly as VS Code would have received them. */
  readonly raw: string[] = [];
  readonly logged: string[] = [];
  readonly chats: (ConversationId | undefined)[] = [];
  readonly clipboard: string[] = [];
  readonly settings: Partial<Settings> = { server: '' };
  /** Answers to the next notifications (a button) and input boxes, in order. */
  readonly answers: (string | undefined)[] = [];
  readonly inputs: (string | undefined)[] = [];

  ports(): CommandPorts {
    const show =
      (level: Shown['level']) =>
      (message: string, ...rest: unknown[]): Thenable<never> => {
        const options = typeof rest[0] === 'object' ? (rest.shift() as { modal?: boolean }) : {};
        this.raw.push(message);
        this.shown.push({ level, message: message.replace(JOINER, ''), items: rest as string[], modal: options.modal === true });
        return Promise.resolve(this.answers.shift() as never);
      };
    return {
      registerCommand: (id, run) => {
        this.commands.set(id, run);
        return { dispose: () => this.commands.delete(id) };
      },
      executeCommand: (id) => {
        this.executed.push(id);
        return Promise.resolve(undefined);
      },
      window: {
        showErrorMessage: show('error') as CommandPorts['window']['showErrorMessage'],
        showWarningMessage: show('warning') as CommandPorts['window']['showWarningMessage'],
        showInformationMessage: show('info') as CommandPorts['window']['showInformationMessage'],
        showInputBox: () => Promise.resolve(this.inputs.shift()),
        showQuickPick: (() => Promise.resolve(undefined)) as CommandPorts['window']['showQuickPick'],
        showOpenDialog: () => Promise.resolve(undefined),
        activeFile: () => undefined,
        writeClipboard: (text) => {
          this.clipboard.push(text);
          return Promise.resolve();
        },
      },
      views: {
        openChat: (id) => void this.chats.push(id),
        pickPeers: () => Promise.resolve(undefined),
        pickFromSearch: () => Promise.resolve(undefined),
        shareSelection: () => Promise.resolve(),
        openSharedCode: () => Promise.resolve(),
        sendFiles: () => Promise.resolve(),
      },
      settings: {
        read: () => this.settings as Settings,
        update: (key, value) => {
          this.settings[key] = value;
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

/** The composition root's collaborators, as small fakes that record calls. */
function context(overrides: { connect?: (server: string, options: { pin?: string }) => Promise<void>; secret?: string } = {}) {
  const calls: string[] = [];
  let server = '';
  let secret = overrides.secret;
  const hosting = { port: 4242, addresses: ['192.0.2.7:4242'], secret: 'hosted-secret', fingerprint: 'AB:CD' };
  let hosted: typeof hosting | undefined;
  const c: CommandContext = {
    messenger: { selfId: 'self', connectionState: 'idle', watchedOnline: () => [] } as unknown as Messenger,
    connections: {
      connect: async (address?: string, options: { pin?: string } = {}) => {
        calls.push(`connect ${address}${options.pin ? ` pin ${options.pin}` : ''}`);
        server = address ?? '';
        await overrides.connect?.(address ?? '', options);
      },
      disconnect: async () => void calls.push('disconnect'),
      get server() {
        return server;
      },
      trust: { forget: async (s: string) => void calls.push(`forget ${s}`) } as CommandContext['connections']['trust'],
    },
    relay: {
      start: async () => {
        calls.push('relay start');
        return (hosted = hosting);
      },
      stop: async () => {
        calls.push('relay stop');
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
  };
  return { c, calls };
}

describe('commands (the composition root, through fake ports)', () => {
  it('registers every command the extension contributes', () => {
    const fakes = new Fakes();
    registerCommands(context().c, fakes.ports());
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const missing = contributed.filter((id) => !fakes.commands.has(id));
    assert.deepEqual(missing, []);
  });

  it('Connect asks for the address and a secret when none is stored, saves the address, then connects', async () => {
    const fakes = new Fakes();
    const { c, calls } = context();
    registerCommands(c, fakes.ports());
    fakes.inputs.push(' chat.example:9999 ', 's3cret');
    await fakes.run('teamMessenger.connect');
    assert.equal(fakes.settings.server, 'chat.example:9999');
    assert.deepEqual(calls, ['secret s3cret', 'connect chat.example:9999']);
  });

  it('Connect cancelled at the address changes nothing', async () => {
    const fakes = new Fakes();
    const { c, calls } = context();
    registerCommands(c, fakes.ports());
    fakes.inputs.push(undefined);
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(calls, []);
    assert.equal(fakes.settings.server, '');
  });

  it('a changed certificate asks in a modal; Forget forgets the pin and connects again', async () => {
    const fakes = new Fakes();
    let attempts = 0;
    const { c, calls } = context({
      secret: 'x',
      connect: async () => {
        if (attempts++ === 0) throw new TeamMessengerError(ErrorCode.TlsFingerprintMismatch, "the relay's certificate changed");
      },
    });
    registerCommands(c, fakes.ports());
    fakes.inputs.push('relay.example:1');
    fakes.answers.push('Forget Pinned Certificate');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(fakes.shown, [{ level: 'error', message: "the relay's certificate changed", items: ['Forget Pinned Certificate'], modal: true }]);
    assert.deepEqual(calls, ['connect relay.example:1', 'forget relay.example:1', 'connect relay.example:1']);
  });

  it("a relay's refusal is shown as inert text, with a way to set the secret", async () => {
    const fakes = new Fakes();
    const hostile = 'no [way](command:workbench.action.terminal.sendSequence?x) $(zap)';
    const { c } = context({
      secret: 'x',
      connect: async () => {
        throw new TeamMessengerError(ErrorCode.AuthFailed, hostile);
      },
    });
    registerCommands(c, fakes.ports());
    fakes.inputs.push('relay.example:1');
    fakes.answers.push('Set Team Secret…');
    await fakes.run('teamMessenger.connect');
    assert.equal(fakes.shown[0].message, `The relay at relay.example:1 refused to let you in: ${hostile}.`);
    assert.doesNotMatch(fakes.raw[0], /\]\(|command:|\$\(/, 'no link or icon syntax reaches VS Code');
    assert.deepEqual(fakes.executed, ['teamMessenger.setTeamSecret']);
  });

  it('a command that fails logs it and shows the error, neutralised', async () => {
    const fakes = new Fakes();
    const { c } = context({
      secret: 'x',
      connect: async () => {
        throw new Error('boom [x](command:y)');
      },
    });
    registerCommands(c, fakes.ports());
    fakes.inputs.push('relay.example:1');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(fakes.logged, ['teamMessenger.connect failed: boom [x](command:y)']);
    assert.equal(fakes.shown.length, 1);
    assert.equal(fakes.shown[0].level, 'error');
    assert.equal(fakes.shown[0].message, 'boom [x](command:y)');
    assert.doesNotMatch(fakes.raw[0], /\]\(|command:/);
  });

  it('Start Local Relay connects to it with its pin and copies what teammates need', async () => {
    const fakes = new Fakes();
    const { c, calls } = context({ secret: 'hosted-secret' });
    registerCommands(c, fakes.ports());
    fakes.answers.push('Copy Address and Secret');
    await fakes.run('teamMessenger.startLocalRelay');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['relay start', 'connect 127.0.0.1:4242 pin AB:CD']);
    assert.match(fakes.shown[0].message, /^Hosting a relay on port 4242\. Teammates connect to 192\.0\.2\.7:4242/);
    assert.deepEqual(fakes.clipboard, ['Team Messenger relay: 192.0.2.7:4242\nTeam secret: hosted-secret\nCertificate fingerprint (SHA-256): AB:CD']);
    await fakes.run('teamMessenger.stopLocalRelay');
    assert.deepEqual(calls.slice(2), ['relay stop', 'disconnect']);
  });

  it('Open Conversation opens only a valid conversation id', async () => {
    const fakes = new Fakes();
    registerCommands(context().c, fakes.ports());
    await fakes.run('teamMessenger.openConversation', 'all');
    await fakes.run('teamMessenger.openConversation', 'not an id');
    await fakes.run('teamMessenger.openChat');
    assert.deepEqual(fakes.chats, ['all', undefined, undefined]);
  });

  it('Send File… on a peer row asks for files, labelled with the peer name made inert', async () => {
    const fakes = new Fakes();
    const ports = fakes.ports();
    const asked: vscode.OpenDialogOptions[] = [];
    ports.window.showOpenDialog = (options) => {
      asked.push(options);
      return Promise.resolve(undefined);
    };
    registerCommands(context().c, ports);
    await fakes.run('teamMessenger.sendFileToThisPeer', { clientId: 'abc', label: '$(zap) bob' });
    assert.equal(asked.length, 1);
    assert.equal(asked[0].openLabel, 'Send to $\u2060(zap) bob');
  });
});
