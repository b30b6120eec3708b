import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Relay } from '../../src/server/relay';
import { VsCodeHarness } from './harness';
import { chat, Cleanup, clearNotifications, freePort, HeadlessPeer, launchAlice, notification, peerRow, startRelay, statusItem, scenarioHooks } from './team';

/**
 * One connection per window, and failures said where the user looks (issue 25, items 2, 3, 6).
 * alice (VS Code) connects at start-up to a plain relay of our own core; bob is a headless client.
 * Connect… while connected leaves exactly one session of alice at the relay; a port nothing listens
 * on and an unknown host are said with their cause in a notification, the status bar and the Peers
 * view, and the working `teamMessenger.server` is kept; Disconnect says where from; a peer picker
 * takes the highlighted peer on Enter; a peer using alice's own name is told apart.
 */
describe('e2e Team Messenger: one connection, failures said', function () {
  const suite = new Cleanup();
  const scenario = new Cleanup();
  let vscode: VsCodeHarness;
  let relay: Relay;
  let port: number;
  let bob: HeadlessPeer;

  const settings = (): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(vscode.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const widget = () => vscode.page.locator('.quick-input-widget');
  const sidebar = () => vscode.page.locator('.part.sidebar');

  before(async function () {
    const started = await startRelay(suite);
    relay = started.relay;
    port = started.port;
    vscode = await launchAlice(suite, { name: 'connection', server: started.server });
    bob = await HeadlessPeer.connect(suite, { port, name: 'bob', reconnect: true });
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `127.0.0.1:${port} · 1 online` }), 'alice connected, bob online');
  });

  scenarioHooks(() => vscode, scenario, suite);

  /** Connect to Relay… → ("Enter another address…" when relays used lately are offered) → `address` → no secret. */
  async function connectTo(address: string): Promise<void> {
    await vscode.runCommand('Team Messenger: Connect to Relay…');
    const input = widget().locator('.quick-input-box input');
    const another = widget().locator('.quick-input-list .monaco-list-row', { hasText: 'Enter another address…' });
    const prompt = widget().locator('.quick-input-message', { hasText: 'The relay your team uses' });
    const shown = await vscode.waitUntil('the recent relays or the address box', async () =>
      (await another.isVisible()) ? 'recent' : (await prompt.isVisible()) ? 'box' : undefined,
    );
    if (shown === 'recent') {
      await another.click();
      await vscode.waitForVisible(prompt, 'the address box');
    }
    await input.fill(address);
    await input.press('Enter');
    // No secret stored for this address: the box asks; this relay has none.
    const secret = widget().locator('.quick-input-box input[type="password"]');
    await vscode.waitForVisible(secret, 'the team secret box');
    await secret.press('Enter');
    await vscode.waitForHidden(widget(), 'the quick input to close');
  }

  /** The status bar item's tooltip, shown by hovering it. */
  async function statusTooltip(text: string): Promise<void> {
    await statusItem(vscode).hover();
    const hover = vscode.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: text });
    await vscode.waitForVisible(hover, `the status bar tooltip to say "${text}"`);
  }

  it('Connect… while connected: the relay ends with exactly one session of alice, and says 1 online', async function () {
    assert.equal(relay.clientCount, 2, 'alice and bob');
    // Another spelling of the same relay: the setting changes, which made the settings listener
    // connect a second time alongside the command before.
    await connectTo(`localhost:${port}`);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `localhost:${port} · 1 online` }), 'alice connected again, bob online');
    await vscode.waitUntil('the setting to follow once connected', () => settings()['teamMessenger.server'] === `localhost:${port}`);
    // Give a stray second connection time to show up.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(relay.clientCount, 2, 'alice once, and bob');
    assert.equal(relay.connectionCount, 2, 'no other connection, logged in or not');
    assert.equal([...bob.client.peers.values()].filter((p) => p.name === 'alice').length, 1, 'bob sees one alice');
    await statusTooltip('1 person online');
    await vscode.screenshot('1-connect-while-connected-one-session');
    await vscode.page.mouse.move(0, 0);
  });

  it('a port nothing listens on: the cause in a notification, the status bar and the Peers view; the working setting kept', async function () {
    const working = settings()['teamMessenger.server'];
    const closed = `127.0.0.1:${await freePort()}`;
    const cause = `Cannot reach ${closed} — connection refused (nothing listens on that port)`;
    await connectTo(closed);
    const toast = notification(vscode, cause);
    await vscode.waitForSteady(toast, 'the notification with the cause');
    for (const button of ['Retry', 'Change Address…', 'Show Log'])
      assert.ok(await toast.getByRole('button', { name: button, exact: true }).isVisible(), button);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `Team Messenger: can't reach ${closed}` }), 'the status bar to say it');
    await vscode.waitForVisible(sidebar().getByText(cause), 'the Peers view banner');
    await vscode.waitForVisible(vscode.listRow('Retry'), 'Retry in the Peers view');
    await vscode.waitForVisible(vscode.listRow('Change Address…'), 'Change Address… in the Peers view');
    await vscode.screenshot('2-refused-notification-and-peers-view');
    await statusTooltip(cause);
    await vscode.screenshot('3-refused-status-tooltip');
    await vscode.page.mouse.move(0, 0);
    assert.equal(settings()['teamMessenger.server'], working, 'the working address stays in the setting');
    await vscode.waitUntil('alice to leave the working relay: one connection per window', () => relay.clientCount === 1);
    // Retries go on quietly: still the one notification after a few seconds of them.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const told = vscode
      .readOutputChannelLog('Team Messenger')
      .split('\n')
      .filter((line) => line.includes(`told the user why the relay cannot be used server=${closed}`));
    assert.equal(told.length, 1, told.join('\n'));
    assert.ok(
      vscode
        .readOutputChannelLog('Team Messenger')
        .split('\n')
        .filter((line) => line.includes(`[client] reconnecting`)).length >= 3,
      'several retries',
    );
  });

  it('an unknown host, through the Peers view\'s Change Address…: "host not found", the setting still the working one', async function () {
    const working = settings()['teamMessenger.server'];
    await clearNotifications(vscode);
    await vscode.listRow('Change Address…').click();
    const input = widget().locator('.quick-input-box input');
    await vscode.waitForVisible(input, 'the address box');
    await vscode.waitUntil('the box to hold the address to correct', async () => /^127\.0\.0\.1:\d+$/.test(await input.inputValue()));
    await input.fill('no-such-host.invalid:9999');
    await input.press('Enter');
    const secret = widget().locator('.quick-input-box input[type="password"]');
    await vscode.waitForVisible(secret, 'the team secret box');
    await secret.press('Enter');
    const cause = 'Cannot reach no-such-host.invalid:9999 — host not found';
    await vscode.waitForSteady(notification(vscode, cause), 'the notification with the cause');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: "Team Messenger: can't reach no-such-host.invalid:9999" }), 'the status bar to say it');
    await vscode.waitForVisible(sidebar().getByText(cause, { exact: false }), 'the Peers view banner');
    await vscode.screenshot('4-unknown-host-notification-and-peers-view');
    await statusTooltip(cause);
    await vscode.screenshot('5-unknown-host-status-tooltip');
    await vscode.page.mouse.move(0, 0);
    assert.equal(settings()['teamMessenger.server'], working);
    await clearNotifications(vscode);
  });

  it('back on the working relay, then Disconnect: the tooltip says where from', async function () {
    const working = String(settings()['teamMessenger.server']);
    await connectTo(working);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `${working} · 1 online` }), 'alice back, bob online');
    await vscode.waitForHidden(vscode.listRow('Retry'), 'the failure rows to go');
    await vscode.runCommand('Team Messenger: Disconnect');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: 'Team Messenger: offline' }), 'offline');
    await statusTooltip(`Team Messenger: disconnected from ${working}`);
    await vscode.screenshot('6-disconnected-tooltip');
    await vscode.page.mouse.move(0, 0);
    await vscode.waitUntil('the relay to let alice go', () => relay.clientCount === 1);
    // Connected again for what follows.
    await connectTo(working);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `${working} · 1 online` }), 'alice back, bob online');
  });

  it('a peer with alice’s own name is told apart; a picker with one peer takes it on Enter', async function () {
    const namesake = await HeadlessPeer.connect(scenario, { port, name: 'alice', machine: 'build-7' });
    await vscode.waitForVisible(peerRow(vscode, 'alice', 'online').filter({ hasText: 'another alice on build-7' }), 'the other alice, told apart');
    await vscode.screenshot('7-namesake-in-peers-view');
    await namesake.quit();
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: '· 1 online' }), 'only bob online');

    await vscode.runCommand('Team Messenger: New Group Conversation…');
    await vscode.waitForVisible(widget().locator('.quick-input-title', { hasText: 'New Group Conversation' }), 'the peer picker');
    await vscode.waitForVisible(widget().locator('.quick-input-list .monaco-list-row', { hasText: 'bob' }), 'bob in the picker');
    await vscode.screenshot('8-picker-one-peer');
    await vscode.page.keyboard.press('Enter');
    await vscode.waitForHidden(widget(), 'the picker to close');
    await vscode.waitForVisible(chat(vscode).locator('.conversation-header .header-title', { hasText: /^bob$/ }), "bob's conversation opened");
  });
});
