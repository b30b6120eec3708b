import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ErrorCode, TeamMessengerError } from '../../src/net/protocol/errors';
import { VsCodeHarness } from './harness';
import {
  Cleanup,
  clearNotifications,
  freePort,
  HeadlessPeer,
  notification,
  openConversation,
  peerRow,
  shownMessageTexts,
  statusItem,
  scenarioHooks,
} from './team';

/**
 * "Start Local Relay": VS Code (alice) hosts the relay in its extension host, on the port and
 * interface the settings name, and connects to it; bob (a headless TeamClient here) joins it with the
 * team secret, they chat both ways, and "Stop Local Relay" ends it for everyone.
 *
 * The secret: the local relay uses the team secret in SecretStorage and makes one up only when there
 * is none. A made-up one is not reachable from the test process (it is in the browser's secret
 * store; the "Copy Address and Secret" button writes it to the browser's clipboard), so the scenario
 * first types a known secret into "Team Messenger: Set Team Secret…", as a person setting up a team
 * would, and bob uses that. A peer with another secret is refused, which shows the relay really uses it.
 */
describe('e2e Team Messenger: hosting a local relay', function () {
  const suite = new Cleanup();
  const scenario = new Cleanup();
  const secret = 'e2e-team-secret-' + Math.random().toString(36).slice(2);
  let vscode: VsCodeHarness;
  let port: number;

  before(async function () {
    port = await freePort();
    vscode = await VsCodeHarness.launch({
      name: 'host',
      settings: {
        'teamMessenger.displayName': 'alice',
        'teamMessenger.relay.host': '127.0.0.1',
        'teamMessenger.relay.port': port,
      },
    });
    suite.add('dispose VS Code', () => vscode.dispose());
    await vscode.waitForLog('Team Messenger activated', { channel: 'Team Messenger' });
  });

  scenarioHooks(() => vscode, scenario, suite);

  it('starts a relay from the command palette, chats with bob through it, and stops it', async function () {
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: 'Team Messenger: offline' }), 'the status bar to say offline');

    // The team secret, typed into the password box.
    await vscode.runCommand('Team Messenger: Set Team Secret…');
    const box = vscode.page.locator('.quick-input-widget .quick-input-box input[type="password"]');
    await vscode.waitForVisible(box, 'the password box for the team secret');
    await box.fill(secret);
    await box.press('Enter');
    await vscode.waitForHidden(vscode.page.locator('.quick-input-widget'), 'the password box to close');

    await vscode.runCommand('Team Messenger: Start Local Relay');
    const hosting = statusItem(vscode).filter({ hasText: `Hosting on :${port} · 0 online` });
    await vscode.waitForVisible(hosting, `the status bar to say it hosts on port ${port}`);
    const announcement = notification(vscode, `Hosting a relay on port ${port}. Teammates connect to 127.0.0.1:${port} with the team secret`);
    await vscode.waitForSteady(announcement, 'the "Hosting a relay" notification');
    assert.ok(await announcement.getByRole('button', { name: 'Copy Address and Secret' }).isVisible());
    await vscode.screenshot('1-hosting');

    // A wrong secret is refused; the one typed above lets bob in.
    // The local relay speaks TLS; teammates trust its certificate on first use.
    const tls = { trustOnFirstUse: () => true };
    const intruder = await HeadlessPeer.connect(scenario, { port, name: 'mallory', secret: 'not-the-secret', tls }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(intruder instanceof TeamMessengerError && intruder.code === ErrorCode.AuthFailed, `a wrong secret must be refused, got ${String(intruder)}`);
    const bob = await HeadlessPeer.connect(scenario, { port, name: 'bob', secret, tls });
    const aliceId = await vscode.waitUntil('bob to see alice on the relay', () => bob.peerId('alice'));
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Hosting on :${port} · 1 online` }), 'the status bar to count bob');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'bob in the Peers view');
    await clearNotifications(vscode);

    // alice -> bob, through the relay in VS Code's extension host.
    const frame = await openConversation(vscode, 'bob');
    const hello = 'Welcome to my relay, bob';
    await frame.locator('#composer-input').click();
    await vscode.page.keyboard.type(hello);
    await vscode.page.keyboard.press('Enter');
    const got = await vscode.waitUntil("bob to receive alice's message", () => bob.messages.find((m) => m.from === aliceId && m.text === hello));
    assert.deepEqual(got.to, [bob.clientId]);
    // bob -> alice.
    const reply = 'Thanks alice, I am in';
    await bob.tell(aliceId, reply);
    await vscode.waitUntil("bob's reply in the chat", async () => (await shownMessageTexts(frame)).includes(reply));
    await vscode.screenshot('2-chat-through-local-relay');

    await vscode.runCommand('Team Messenger: Stop Local Relay');
    const ended = await vscode.waitUntil('bob to be disconnected', () => bob.disconnects[0]);
    assert.equal(ended.code, ErrorCode.ServerShutdown, `bob was disconnected with ${ended.code}: ${ended.message}`);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: 'Team Messenger: offline' }), 'the status bar to say offline again');
    await vscode.waitForHidden(peerRow(vscode, 'bob', 'online'), 'bob to leave the Peers view');
    // The chat stays readable offline: the banner says so, and bob is still called bob.
    await vscode.waitForVisible(
      frame.locator('#banner', { hasText: `Disconnected from 127.0.0.1:${port}` }),
      'the chat to say it is disconnected, and from where',
    );
    await vscode.waitForVisible(frame.locator('.conversation-row[title="bob"]'), 'bob\'s conversation still titled "bob" while disconnected');
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    assert.equal(refused, 'ECONNREFUSED', `the relay's port ${port} is closed`);
    await vscode.screenshot('3-relay-stopped');
  });
});
