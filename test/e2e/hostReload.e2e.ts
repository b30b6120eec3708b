import * as assert from 'node:assert/strict';
import { VsCodeHarness } from './harness';
import { Cleanup, clearNotifications, extensionHostCaughtUp, freePort, HeadlessPeer, openConversation, peerRow, shownMessageTexts, statusItem } from './team';

/**
 * The host reloads her window: the relay inside her editor goes with the extension host and must
 * come back by itself, on its port, with its secret, certificate and history; bob's client
 * (headless here, reconnecting as a person's does) resumes with nothing lost, and alice's restored
 * chat still calls bob "bob", keeps what was said, and counts as unread only what she had not read.
 */
describe('e2e Team Messenger: the host reloads her window', function () {
  const suite = new Cleanup();
  const secret = 'e2e-reload-secret-' + Math.random().toString(36).slice(2);
  let vscode: VsCodeHarness;
  let port: number;

  before(async function () {
    port = await freePort();
    vscode = await VsCodeHarness.launch({
      name: 'reload',
      settings: { 'teamMessenger.displayName': 'alice', 'teamMessenger.relay.host': '127.0.0.1', 'teamMessenger.relay.port': port },
    });
    suite.add('dispose VS Code', () => vscode.dispose());
    await vscode.waitForLog('Team Messenger activated', { channel: 'Team Messenger' });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') vscode?.markFailed();
  });

  after(() => suite.run());

  it('the relay comes back by itself, bob resumes, and the chat keeps names, history and read state', async function () {
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.runCommand('Team Messenger: Set Team Secret…');
    const box = vscode.page.locator('.quick-input-widget .quick-input-box input[type="password"]');
    await vscode.waitForVisible(box, 'the password box for the team secret');
    await box.fill(secret);
    await box.press('Enter');
    await vscode.runCommand('Team Messenger: Start Local Relay');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Hosting on :${port}` }), `the relay on port ${port}`);

    const bob = await HeadlessPeer.connect(suite, { port, name: 'bob', secret, tls: { trustOnFirstUse: () => true }, reconnect: true });
    const aliceId = await vscode.waitUntil('bob to see alice', () => bob.peerId('alice'));
    await clearNotifications(vscode);

    // Read before the reload: bob's first message, in his conversation, and alice's answer.
    await bob.tell(aliceId, 'read before the reload');
    let frame = await openConversation(vscode, 'bob');
    await vscode.waitUntil("bob's message in the chat", async () => (await shownMessageTexts(frame)).includes('read before the reload'));
    await frame.locator('#composer-input').click();
    await vscode.page.keyboard.type('hi bob');
    await vscode.page.keyboard.press('Enter');
    await vscode.waitUntil('bob to receive "hi bob"', () => bob.messages.some((m) => m.text === 'hi bob'));
    // Not read: alice is in another editor when it arrives (the chat panel is open behind it).
    await vscode.runCommand('File: New Untitled Text File');
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'Untitled-1' }), 'an untitled editor over the chat');
    await extensionHostCaughtUp(vscode);
    await bob.tell(aliceId, 'unread before the reload');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online', 1), 'one unread message from bob');
    await vscode.screenshot('1-before-reload');

    await vscode.page.reload({ waitUntil: 'domcontentloaded' });
    await vscode.waitForVisible(vscode.page.locator('.monaco-workbench'), 'the workbench after the reload');
    await vscode.waitUntil('bob to notice the relay went away', () => bob.disconnects.length >= 1);
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Hosting on :${port} · 1 online` }), 'the relay back on its port, with bob');
    await vscode.waitUntil('bob to be connected again', () => bob.client.state === 'connected');

    await bob.tell(aliceId, 'after the reload');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online', 2), 'two unread from bob: the one before and the one after');
    frame = await openConversation(vscode, 'bob');
    await vscode.waitUntil('the message after the reload', async () => (await shownMessageTexts(frame)).includes('after the reload'));
    const shown = await shownMessageTexts(frame);
    assert.deepEqual(
      shown.filter((t) => ['read before the reload', 'hi bob', 'unread before the reload', 'after the reload'].includes(t)),
      ['read before the reload', 'hi bob', 'unread before the reload', 'after the reload'],
      'every message once, in order',
    );
    await vscode.waitForVisible(frame.locator('.conversation-header .header-title', { hasText: /^bob$/ }), 'the header still says "bob"');
    assert.equal(bob.messages.filter((m) => m.text === 'hi bob').length, 1, 'bob got "hi bob" once, even though he resumed');
    await vscode.screenshot('2-after-reload');
  });
});
