import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { generateIdentity, Identity } from '../../src/net/identity';
import { VsCodeHarness } from './harness';
import { chat, Cleanup, HeadlessPeer, launchAlice, peerRow, shownMessageTexts, startRelay, statusItem } from './team';

/** Online identities above which the relay of this suite stops telling everyone everything. */
const FULL_PRESENCE_LIMIT = 2;
/** What alice types in Find Peer: part of zoe's name. */
const QUERY = 'zo';

/**
 * An identity the search for QUERY does not find: the relay also matches a prefix of the client id
 * (random base64url), so without this carol would match "zo" in about one run out of two thousand.
 */
function identityNotMatching(query: string): Identity {
  for (;;) {
    const identity = generateIdentity();
    if (!identity.clientId.startsWith(query)) return identity;
  }
}

/**
 * A big team: the relay runs with a tiny fullPresenceLimit, so three headless peers (carol, dave and
 * "zoe" on "build-7", whom alice has never talked to) plus alice put it in watched presence. alice
 * (VS Code, connected at start-up to a plain relay without a secret) then hears only about the people
 * she watches, plus an online count: the Peers view lists nobody but #general and a row
 * "N online — Find Peer…". Find Peer searches the relay (`who`) as she types; choosing zoe watches
 * her (listed, online, her comings and goings reported) and opens the conversation.
 *
 * The headless peers connect once, before VS Code starts, so alice's welcome already says "watched".
 */
describe('e2e Team Messenger: a big team (watched presence, Find Peer)', function () {
  const suite = new Cleanup();
  let vscode: VsCodeHarness;
  let port: number;
  let zoe: HeadlessPeer;

  before(async function () {
    const relay = await startRelay(suite, { fullPresenceLimit: FULL_PRESENCE_LIMIT });
    port = relay.port;
    await HeadlessPeer.connect(suite, { port, name: 'carol', identity: identityNotMatching(QUERY) });
    await HeadlessPeer.connect(suite, { port, name: 'dave', identity: identityNotMatching(QUERY) });
    zoe = await HeadlessPeer.connect(suite, { port, name: 'zoe', machine: 'build-7' });
    // Three identities online, above the limit of two: watched presence before alice comes.
    assert.equal(zoe.client.presenceMode, 'watched', 'the relay is in watched presence');
    assert.equal(zoe.client.peers.size, 0, 'zoe watches nobody, so she hears about nobody');

    vscode = await launchAlice(suite, { name: 'bigteam', server: relay.server });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') vscode?.markFailed();
  });

  after(async function () {
    await suite.run();
  });

  /** The Peers view's "N online — Find Peer…" row for exactly `others` people online besides alice. */
  function findPeerRow(others: number): Locator {
    return vscode.page
      .locator('.monaco-list-row')
      .filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${others} online — Find Peer…\\s*$`) }) });
  }

  /** Every row of the Peers view whose label is `name` (online or offline). */
  function rowsNamed(name: string): Locator {
    return vscode.page.locator('.monaco-list-row').filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) });
  }

  it('lists only the watched people, with a row counting everyone online', async function () {
    await vscode.openActivityBarItem('Team Messenger');
    // carol, dave and zoe: three besides alice.
    const find = findPeerRow(3);
    await vscode.waitForSteady(find, 'the row "3 online — Find Peer…" in the Peers view');
    await vscode.waitForVisible(vscode.listRow('Direct Messages, 3 online'), 'the Direct Messages heading to count 3 online');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `127.0.0.1:${port} · 3 online` }), 'the status bar to count 3 online');
    for (const name of ['zoe', 'carol', 'dave']) {
      assert.equal(await rowsNamed(name).count(), 0, `${name} is not listed: alice watches nobody yet`);
    }
    await vscode.screenshot('1-peers-find-peer-row');
  });

  it('finds zoe by name, chats with her both ways, and shows her offline when she quits', async function () {
    await vscode.openActivityBarItem('Team Messenger');
    const find = findPeerRow(3);
    await vscode.waitForSteady(find, 'the row "3 online — Find Peer…"');
    await find.click();

    // Find Peer: a quick pick fed by the relay's search as alice types.
    const widget = vscode.page.locator('.quick-input-widget');
    await vscode.waitForVisible(widget.locator('.quick-input-title', { hasText: /^\s*Find Peer\s*$/ }), 'the Find Peer quick pick');
    await vscode.page.keyboard.type(QUERY);
    const zoeItem = widget.locator('.quick-input-list .monaco-list-row').filter({ has: vscode.page.locator('.label-name', { hasText: /^\s*zoe\s*$/ }) });
    await vscode.waitForSteady(zoeItem, 'zoe among the search results');
    assert.equal(await zoeItem.count(), 1, 'one zoe found');
    assert.match((await zoeItem.locator('.label-description').textContent()) ?? '', /^\s*build-7\s*$/, "the result names zoe's machine");
    const names = await vscode.visibleTexts(widget.locator('.quick-input-list .monaco-list-row .label-name'));
    assert.deepEqual(names, ['zoe'], `only zoe matches "${QUERY}"`);
    await vscode.screenshot('2-find-peer-zoe');
    await zoeItem.click();
    await vscode.waitForHidden(widget, 'Find Peer to close');

    // The chat opens on zoe's conversation.
    const frame = chat(vscode);
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'Team Messenger' }), 'the chat to be the active editor');
    await vscode.waitForVisible(frame.locator('.conversation-header .header-title', { hasText: /^zoe$/ }), "zoe's conversation in the chat");
    await vscode.waitForVisible(frame.locator('#composer-input:enabled'), 'the composer to be enabled');

    // zoe is watched now: listed in the Peers view, online, with her machine.
    const online = peerRow(vscode, 'zoe', 'online');
    await vscode.waitForVisible(online, 'zoe online in the Peers view');
    assert.match((await online.locator('.label-description').textContent()) ?? '', /build-7/, "the row names zoe's machine");
    await vscode.waitForVisible(findPeerRow(3), 'the Find Peer row to stay, still counting 3');

    // alice -> zoe, typed in the composer and sent with Enter.
    const hello = 'Hi zoe, found you with Find Peer ✓';
    const composer = frame.locator('#composer-input');
    await composer.click();
    await vscode.page.keyboard.type(hello);
    await vscode.page.keyboard.press('Enter');
    const got = await vscode.waitUntil("zoe to receive alice's message", () => zoe.messages.find((m) => m.fromName === 'alice' && !m.replay));
    assert.equal(got.text, hello, 'zoe receives exactly what alice typed');
    assert.deepEqual(got.to, [zoe.clientId], 'a direct message to zoe only');
    assert.equal(zoe.messages.filter((m) => !m.replay).length, 1, 'zoe received one message');
    await vscode.waitForVisible(frame.locator('#log .message.own .delivery-icon.state-delivered'), "alice's message to show as delivered");

    // zoe -> alice: zoe does not watch alice (she knows her only from the message), the relay delivers anyway.
    const reply = 'Hello alice — build-7 here';
    await zoe.tell(got.from, reply);
    await vscode.waitUntil("zoe's reply in the chat panel", async () => (await shownMessageTexts(frame)).includes(reply));
    assert.deepEqual((await shownMessageTexts(frame)).slice(-2), [hello, reply]);
    await vscode.waitForSteady(online, 'zoe still online in the Peers view');
    await vscode.screenshot('3-chat-with-zoe');

    // zoe quits: alice watches her, so she hears of it.
    await zoe.quit();
    await vscode.waitForHidden(online, "zoe's online row to go");
    const offline = peerRow(vscode, 'zoe', 'offline');
    await vscode.waitForSteady(offline, 'zoe listed as offline');
    assert.match((await offline.locator('.label-description').textContent()) ?? '', /offline · last seen just now/);
    // The online count follows (the relay announces it periodically in watched presence).
    await vscode.waitForVisible(findPeerRow(2), 'the row to count 2 online');
    await vscode.waitForVisible(statusItem(vscode).filter({ hasText: `127.0.0.1:${port} · 2 online` }), 'the status bar to count 2 online');
    for (const name of ['carol', 'dave']) assert.equal(await rowsNamed(name).count(), 0, `${name} is still not listed`);
    await vscode.screenshot('4-zoe-offline');
  });
});
