import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { VsCodeHarness } from './harness';
import {
  Cleanup,
  clearNotifications,
  extensionHostCaughtUp,
  freePort,
  HeadlessPeer,
  notification,
  openConversation,
  peerRow,
  shownMessageTexts,
  statusItem,
} from './team';
import { waitForSavedEditor, waitForSavedText } from './workbenchState';

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
    // With text in it, the reload restores it in front: the chat stays behind, nothing read there.
    await vscode.page.keyboard.type('notes while bob writes');
    await extensionHostCaughtUp(vscode);
    await bob.tell(aliceId, 'unread before the reload');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online', 1), 'one unread message from bob');
    await vscode.screenshot('1-before-reload');
    // The workbench saves which editor is in front only when idle: a reload before that would restore the chat in front.
    await waitForSavedEditor(vscode, 'Untitled-1', 'the untitled editor in front of the chat');
    // And the conversation the extension keeps in its global state, with the unread message in it.
    await waitForSavedText(vscode, 'unread before the reload', 'the conversation with the unread message');

    await vscode.page.reload({ waitUntil: 'domcontentloaded' });
    await vscode.waitForVisible(vscode.page.locator('.monaco-workbench'), 'the workbench after the reload');
    await vscode.waitUntil('bob to notice the relay went away', () => bob.disconnects.length >= 1);
    // The workbench restores its views while it loads: the view container is opened once that is done.
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Hosting on :${port} · 1 online` }), 'the relay back on its port, with bob');
    await vscode.openActivityBarItem('Team Messenger');
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

  it('Keep It Running: the relay moves to a process of its own, and a reload does not even disconnect bob', async function () {
    // Whatever happens, no relay process outlives the test.
    suite.add('stop a background relay', () => stopRecordedRelays(vscode.tempDir));
    await vscode.runCommand('Team Messenger: Stop Local Relay');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: 'Team Messenger: offline' }), 'the relay stopped');
    await clearNotifications(vscode);
    await vscode.runCommand('Team Messenger: Start Local Relay');
    const told = notification(vscode, 'It runs in this window: closing VS Code stops it for the team until you open VS Code again');
    await vscode.waitForSteady(told, 'the notice that the relay goes with the window');
    await vscode.screenshot('3-relay-goes-with-the-window');
    await told.getByRole('button', { name: 'Keep It Running' }).click();
    await vscode.waitUntil('a background relay to be recorded', () => recordedRelays(vscode.tempDir).length === 1 || undefined);
    const [record] = recordedRelays(vscode.tempDir);
    assert.notEqual(record.pid, process.pid);

    const bob = await HeadlessPeer.connect(suite, { port, name: 'bob2', secret, tls: { trustOnFirstUse: () => true }, reconnect: true });
    const aliceId = await vscode.waitUntil('bob2 to see alice', () => bob.peerId('alice'));
    await vscode.page.reload({ waitUntil: 'domcontentloaded' });
    await vscode.waitForVisible(vscode.page.locator('.monaco-workbench'), 'the workbench after the reload');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Hosting on :${port}` }), 'alice hosting again, attached to the same relay');
    await vscode.waitUntil('alice back on the relay', () => bob.peerId('alice'));
    assert.equal(bob.disconnects.length, 0, 'bob was never disconnected: the relay did not go with the window');
    assert.deepEqual(recordedRelays(vscode.tempDir), [record], 'the same relay process');
    await bob.tell(bob.peerId('alice') ?? aliceId, 'still here, same relay');
    await vscode.screenshot('4-background-relay-after-reload');

    await vscode.runCommand('Team Messenger: Stop Local Relay');
    const ended = await vscode.waitUntil('bob2 to be told the relay stopped', () => bob.disconnects[0]);
    assert.equal(ended.code, 'SERVER_SHUTDOWN');
    assert.deepEqual(recordedRelays(vscode.tempDir), [], 'Stop Local Relay ends it and forgets it');
    assert.equal(await portAnswers(port), false, 'its port is closed');
  });
});

/** The background relays recorded under `root` (the extension's global storage is in there). */
function recordedRelays(root: string): { pid: number; port: number }[] {
  const found: { pid: number; port: number }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'background.json') found.push(JSON.parse(fs.readFileSync(full, 'utf8')) as { pid: number; port: number });
    }
  };
  walk(root);
  return found;
}

function stopRecordedRelays(root: string): void {
  for (const { pid } of recordedRelays(root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
