import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { generateIdentity } from '../../src/net/identity';
import { VsCodeHarness } from './harness';
import {
  chat,
  Cleanup,
  clickNotificationButton,
  extensionHostCaughtUp,
  HeadlessPeer,
  notification,
  openConversation,
  openFile,
  peerRow,
  shownMessageTexts,
  startRelay,
  statusItem,
  scenarioHooks,
} from './team';

/**
 * The Peers view and the chat panel, against a relay of our own core (no team secret) and "bob", a
 * headless TeamClient in this process. VS Code's user is "alice" and connects at start-up
 * (teamMessenger.server + autoConnect). One VS Code for the block; every scenario connects its own
 * bob (always the same identity, so the same conversation) and closes him afterwards.
 */
describe('e2e Team Messenger: peers view and chat', function () {
  const suite = new Cleanup();
  const scenario = new Cleanup();
  const bobIdentity = generateIdentity();
  let vscode: VsCodeHarness;
  let port: number;
  let fingerprint: string;

  before(async function () {
    // TLS (the default): the first connection asks the user to trust the relay's certificate.
    const relay = await startRelay(suite, { tls: true });
    port = relay.port;
    fingerprint = relay.fingerprint!;
    vscode = await VsCodeHarness.launch({
      name: 'chat',
      workspaceFiles: { 'notes.md': '# Team notes\n' },
      settings: {
        'teamMessenger.server': relay.server,
        'teamMessenger.displayName': 'alice',
        'teamMessenger.autoConnect': true,
      },
    });
    suite.add('dispose VS Code', () => vscode.dispose());
    const dialog = vscode.page.locator('.monaco-dialog-box').filter({ hasText: 'Trust its certificate?' });
    await vscode.waitForVisible(dialog, 'the modal asking to trust the relay on first connection');
    await vscode.waitForVisible(dialog.filter({ hasText: fingerprint }), 'the fingerprint to compare, in the modal');
    await vscode.screenshot('chat-0-trust-relay-certificate');
    await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
    await vscode.waitForLog(/connected to relay/, { channel: 'Team Messenger', what: 'the extension to connect to the relay' });
  });

  scenarioHooks(() => vscode, scenario, suite);

  /** bob online (closed after the scenario), once he sees alice; returns him and alice's client id. */
  async function connectBob(): Promise<{ bob: HeadlessPeer; aliceId: string }> {
    const bob = await HeadlessPeer.connect(scenario, { port, name: 'bob', identity: bobIdentity, tls: { fingerprint } });
    const aliceId = await vscode.waitUntil('bob to see alice online', () => bob.peerId('alice'));
    return { bob, aliceId };
  }

  async function composerHasFocus(frame: FrameLocator, what: string): Promise<void> {
    await vscode.waitUntil(what, () =>
      frame
        .locator('#composer-input')
        .evaluate((el) => el === el.ownerDocument.activeElement && el.ownerDocument.hasFocus())
        .catch(() => false),
    );
  }

  it('lists bob in the Peers view, and shows him offline when he quits', async function () {
    await vscode.openActivityBarItem('Team Messenger');
    const { bob } = await connectBob();
    const online = peerRow(vscode, 'bob', 'online');
    await vscode.waitForSteady(online, 'bob online in the Peers view');
    assert.match((await online.locator('.label-description').textContent()) ?? '', /e2e-headless/, "the row names bob's machine");
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `127.0.0.1:${port} · 1 online` }), 'the status bar to count bob');
    await vscode.screenshot('1-peers-bob-online');

    await bob.quit();
    await vscode.waitForHidden(online, "bob's online row to go");
    const offline = peerRow(vscode, 'bob', 'offline');
    await vscode.waitForSteady(offline, 'bob listed as offline');
    assert.match((await offline.locator('.label-description').textContent()) ?? '', /offline · last seen just now/);
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `127.0.0.1:${port} · 0 online` }), 'the status bar to count nobody');
    await vscode.screenshot('2-peers-bob-offline');
  });

  it('chats with bob both ways; a message while the chat is hidden notifies, marks unread, and Reply opens it', async function () {
    const { bob, aliceId } = await connectBob();
    // Open Chat puts the cursor in the composer (of Everyone, the conversation it opens on).
    await vscode.runCommand('Team Messenger: Open Chat');
    await composerHasFocus(chat(vscode), 'the composer to have the focus after Open Chat');
    const frame = await openConversation(vscode, 'bob');

    // alice -> bob: typed in the composer, sent with Enter.
    const hello = 'Hello bob — ünïcödé ✓ <b>not bold</b>  two  spaces';
    const composer = frame.locator('#composer-input');
    await composer.click();
    await vscode.page.keyboard.type(hello);
    await vscode.page.keyboard.press('Enter');
    const got = await vscode.waitUntil("bob to receive alice's message", () => bob.messages.find((m) => m.from === aliceId && !m.replay && m.text === hello));
    assert.deepEqual(got.to, [bob.clientId], 'a direct message to bob only');
    assert.equal(got.fromName, 'alice');
    assert.equal(await composer.inputValue(), '', 'the composer is empty after sending');
    await vscode.waitForVisible(frame.locator('#log .message.own .delivery-icon.state-delivered'), "alice's message to show as delivered");

    // bob -> alice: shows in the open conversation.
    const reply = 'Hi alice, got it ✓';
    await bob.tell(aliceId, reply);
    await vscode.waitUntil("bob's reply in the chat panel", async () => (await shownMessageTexts(frame)).includes(reply));
    assert.deepEqual((await shownMessageTexts(frame)).slice(-2), [hello, reply]);
    await vscode.screenshot('3-chat-both-ways');

    // The chat hidden behind another editor: bob's next message notifies and counts as unread.
    await openFile(vscode, 'notes.md');
    await vscode.openActivityBarItem('Team Messenger');
    // The extension learns that the chat is hidden a moment after the workbench shows notes.md; a
    // message arriving before that counts as seen (no notification), as it would for a person.
    await extensionHostCaughtUp(vscode);
    const ping = 'Are you there? (sent while the chat is hidden)';
    await bob.tell(aliceId, ping);
    const toast = notification(vscode, `bob: ${ping}`);
    await vscode.waitForSteady(toast, "the notification of bob's message");
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online', 1), "bob's row to show 1 unread");
    const row = peerRow(vscode, 'bob', 'online', 1);
    assert.match((await row.locator('.label-description').textContent()) ?? '', /1 unread/);
    const badge = vscode.page
      .locator('.part.activitybar .action-item', { has: vscode.page.locator('a[aria-label^="Team Messenger"]') })
      .locator('.badge-content');
    await vscode.waitForVisible(badge.filter({ hasText: /^1$/ }), 'the activity bar badge to count 1 unread');
    await vscode.screenshot('4-notification-and-unread');

    await clickNotificationButton(vscode, `bob: ${ping}`, 'Reply');
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'Team Messenger' }), 'the chat to be the active editor');
    const shown = chat(vscode);
    await vscode.waitForVisible(shown.locator('.conversation-header .header-title', { hasText: /^bob$/ }), "bob's conversation in the chat");
    await vscode.waitUntil("bob's message in the chat", async () => (await shownMessageTexts(shown)).includes(ping));
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'the unread mark to clear once the conversation is shown');
    await composerHasFocus(shown, 'Reply to put the cursor in the composer');
    await vscode.screenshot('5-reply-opens-conversation');
  });

  it('shows hostile markup from bob as text and runs none of it', async function () {
    const { bob, aliceId } = await connectBob();
    const frame = await openConversation(vscode, 'bob');
    const titleBefore = await frame.locator('body').evaluate((body) => body.ownerDocument.title);
    const hostile = [
      `<img src=x onerror="document.title='pwned'">`,
      `<script>document.title='pwned'</script>`,
      `<a href="javascript:document.title='pwned'">click</a>`,
    ];
    for (const text of hostile) await bob.tell(aliceId, text);

    await vscode.waitUntil('the hostile messages shown verbatim', async () => {
      const texts = await shownMessageTexts(frame);
      return hostile.every((h) => texts.includes(h));
    });
    for (const text of hostile) {
      await vscode.waitForVisible(frame.locator('#log .message-text').filter({ hasText: text }), `"${text}" visible as text`);
    }
    const injected = await frame.locator('#log').evaluate((log) => log.querySelectorAll('img, script, a, iframe, object, embed').length);
    assert.equal(injected, 0, 'no element was made from a message');
    // The conversation list's preview of the last message is text too.
    const preview = frame.locator('.conversation-row[title="bob"] .row-description');
    assert.equal(await preview.textContent(), `bob: ${hostile[hostile.length - 1]}`);
    assert.equal(await preview.locator('a').count(), 0);

    // Clicking the would-be link does nothing either.
    await frame.locator('#log .message-text').filter({ hasText: hostile[2] }).click();
    assert.equal(await frame.locator('body').evaluate((body) => body.ownerDocument.title), titleBefore, 'the webview document title is untouched');
    assert.equal(titleBefore, 'Team Messenger');
    assert.doesNotMatch(await vscode.page.title(), /pwned/);
    await vscode.screenshot('6-hostile-markup-as-text');
  });
});
