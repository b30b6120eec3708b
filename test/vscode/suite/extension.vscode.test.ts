import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { TeamMessengerApi } from '../../../src/extension';
import { TeamClient } from '../../../src/net/client/teamClient';
import { generateIdentity } from '../../../src/net/identity';

const EXTENSION_ID = 'team-messenger.team-messenger';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Team Messenger in VS Code', () => {
  let api: TeamMessengerApi;

  before(async () => {
    const extension = vscode.extensions.getExtension<TeamMessengerApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    api = await extension.activate();
  });

  it('registers every command it contributes', async () => {
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of contributed) assert.ok(registered.has(command), `${command} is registered`);
  });

  it('starts a local relay that a headless teammate can join, and stops it', async () => {
    const port = await freePort();
    await vscode.workspace.getConfiguration('teamMessenger').update('relay.host', '127.0.0.1', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('teamMessenger').update('relay.port', port, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('teamMessenger.startLocalRelay');
    const hosting = await until('the relay to run', () => api.hosting);
    assert.equal(hosting.port, port);
    await until('the window to connect to its own relay', () => api.state === 'connected');

    const bob = new TeamClient({
      host: '127.0.0.1',
      port,
      name: 'bob',
      identity: generateIdentity(),
      secret: hosting.secret,
      tls: { fingerprint: hosting.fingerprint },
      reconnect: false,
    });
    try {
      const welcome = await bob.connect();
      assert.equal(welcome.peers.length, 1, 'bob sees the VS Code user');
      await until('the VS Code user to see bob', () => api.onlinePeers().includes('bob'));
    } finally {
      await bob.close();
    }
    await vscode.commands.executeCommand('teamMessenger.stopLocalRelay');
    await until('the relay to stop', () => api.hosting === undefined);
  });
});
