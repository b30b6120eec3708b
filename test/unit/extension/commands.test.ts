import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { registerCommands } from '../../../src/extension/commands';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { context, Fakes } from './commandFakes';
import { CodeCommand } from '../../../src/extension/codeCommandIds';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('commands (the composition root, through fake ports)', () => {
  it('registers every command the extension contributes', () => {
    const fakes = new Fakes();
    registerCommands(context().c, fakes.ports());
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    // The code-aware messages' commands are registered by src/extension/codeMessagesWiring.ts.
    const missing = contributed.filter((id) => !fakes.commands.has(id) && !Object.values<string>(CodeCommand).includes(id));
    assert.deepEqual(missing, []);
  });

  it('Connect asks for the address and a secret when none is stored, then connects; the address is saved once the relay let the user in', async () => {
    const fakes = new Fakes();
    const { c, calls, connected } = context();
    registerCommands(c, fakes.ports());
    fakes.inputs.push(' chat.example:9999 ', 's3cret');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(calls, ['secret s3cret', 'connect chat.example:9999']);
    assert.equal(connected[0].options.saveServer, true, 'the ConnectionManager writes the setting after the relay accepted');
    assert.equal(fakes.settings.server, '', 'not before');
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
