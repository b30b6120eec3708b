import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { generateIdentity } from '../../src/net/identity';
import { Relay } from '../../src/server/relay';
import { VsCodeHarness } from './harness';
import {
  chat,
  Cleanup,
  clearNotifications,
  extensionHostCaughtUp,
  freePort,
  HeadlessPeer,
  launchAlice,
  notification,
  openConversation,
  openFile,
  peerRow,
  sha256,
  shownMessageTexts,
  tempDir,
  scenarioHooks,
} from './team';

/**
 * File offers as cards in the chat, and a message typed while offline. alice (VS Code) connects at
 * start-up to a relay of our own core on a fixed port (so it can go away and come back); bob is a
 * headless TeamClient that rides out the relay's restarts. alice's download folder is inside her
 * workspace (a workspace setting written after start-up), so Reveal — which in browser-based VS Code
 * cannot reach a file manager — shows the file in VS Code's Explorer.
 */
describe('e2e Team Messenger: file cards and the offline composer', function () {
  const suite = new Cleanup();
  const scenario = new Cleanup();
  const bobIdentity = generateIdentity();
  let vscode: VsCodeHarness;
  let port: number;
  let relay: Relay | undefined;
  let downloads: string;

  /** The relay on `port` (the same one each time, so clients find it again after a restart). */
  async function startRelay(): Promise<void> {
    relay = new Relay({ host: '127.0.0.1', port, auth: { noAuth: true }, shutdownGraceMs: 200, tls: false });
    await relay.start();
  }

  async function stopRelay(): Promise<void> {
    await relay?.stop('restarting for the test');
    relay = undefined;
  }

  before(async function () {
    port = await freePort();
    await startRelay();
    suite.add('stop the relay', () => stopRelay());
    vscode = await launchAlice(suite, { name: 'cards', server: `127.0.0.1:${port}`, workspaceFiles: { 'notes.md': '# Team notes\n' } });
    downloads = path.join(vscode.workspaceDir, 'received');
    fs.mkdirSync(path.join(vscode.workspaceDir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(vscode.workspaceDir, '.vscode', 'settings.json'), JSON.stringify({ 'teamMessenger.downloadFolder': downloads }, null, 2));
  });

  scenarioHooks(() => vscode, scenario, suite);

  async function connectBob(): Promise<{ bob: HeadlessPeer; aliceId: string }> {
    const bob = await HeadlessPeer.connect(scenario, { port, name: 'bob', identity: bobIdentity, reconnect: true });
    const aliceId = await vscode.waitUntil('bob to see alice online', () => bob.peerId('alice'));
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'alice to see bob online');
    await clearNotifications(vscode);
    return { bob, aliceId };
  }

  /** bob offers a file with `content` named `name` to alice; resolves with how it ended for him. */
  async function bobOffers(bob: HeadlessPeer, aliceId: string, name: string, content: Buffer): Promise<{ source: string; outcome: () => string | undefined }> {
    const source = path.join(tempDir(scenario, 'bob-outbox'), name);
    fs.writeFileSync(source, content);
    const transfer = await bob.client.sendFiles(aliceId, [source]);
    let outcome: string | undefined;
    transfer.done.then(
      () => (outcome = 'done'),
      (err: Error & { code?: string }) => (outcome = `${err.code}: ${err.message}`),
    );
    return { source, outcome: () => outcome };
  }

  function card(frame: FrameLocator, title: string) {
    return frame.locator('#log .file-card', { has: frame.locator('.file-card-title', { hasText: title }) }).last();
  }

  it('accepts an offer from the card in the chat; the card shows where it was saved, a duplicate its new name', async function () {
    const { bob, aliceId } = await connectBob();
    const frame = await openConversation(vscode, 'bob');
    await extensionHostCaughtUp(vscode);

    const first = await bobOffers(bob, aliceId, 'notes.txt', crypto.randomBytes(12 * 1024));
    const offer = card(frame, 'bob offers notes.txt (12 KB)');
    await vscode.waitForVisible(offer.locator('.file-card-status-text', { hasText: 'Waiting for your answer.' }), 'the offer card in the chat');
    assert.equal(await notification(vscode, 'bob wants to send you').count(), 0, 'no toast: alice is looking at the card');
    // The relay records the offer as a message too (has:file finds it): here the card stands for it.
    await extensionHostCaughtUp(vscode);
    assert.equal(await frame.locator('#log .message-files').count(), 0, 'the offer is shown once, as its card');
    await vscode.screenshot('1-offer-card');
    await offer.getByRole('button', { name: 'Accept notes.txt from bob' }).click();

    const saved = path.join(downloads, 'notes.txt');
    await vscode.waitForVisible(offer.locator('.file-card-status-text', { hasText: `Saved to ${saved}` }), 'the card to say where the file went');
    assert.equal(await vscode.waitUntil('bob to see it delivered', first.outcome, 60_000), 'done');
    assert.equal(sha256(saved), sha256(first.source), 'alice has the same bytes');
    assert.equal(await offer.locator('.place-name').textContent(), 'notes.txt');
    assert.equal(await offer.locator('.place-note').count(), 0, 'saved under the name offered');
    await vscode.screenshot('2-saved-path');

    // The same name again: saved beside it as "notes (1).txt", and the card says so.
    const second = await bobOffers(bob, aliceId, 'notes.txt', crypto.randomBytes(3 * 1024));
    const again = card(frame, 'bob offers notes.txt (3.0 KB)');
    await vscode.waitForVisible(again.getByRole('button', { name: 'Accept notes.txt from bob' }), 'the second offer card');
    await again.getByRole('button', { name: 'Accept notes.txt from bob' }).click();
    const renamed = path.join(downloads, 'notes (1).txt');
    await vscode.waitForVisible(again.locator('.file-card-status-text', { hasText: `Saved to ${renamed}` }), 'the new path on the card');
    await vscode.waitForVisible(again.locator('.place-note', { hasText: 'saved as notes (1).txt: notes.txt already exists' }), 'the new name said');
    assert.equal(await vscode.waitUntil('the second transfer to end', second.outcome, 60_000), 'done');
    assert.equal(sha256(renamed), sha256(second.source));
    assert.notEqual(sha256(saved), sha256(renamed), 'the first file was not overwritten');
    await vscode.screenshot('3-duplicate-renamed');

    // Reveal: no file manager in the browser, so VS Code's Explorer shows the file.
    await again.getByRole('button', { name: 'Reveal file notes (1).txt' }).click();
    const row = vscode.listRow('notes (1).txt');
    await vscode.waitForVisible(row, 'notes (1).txt in the Explorer');
    await vscode.waitUntil('notes (1).txt selected in the Explorer', async () => /\b(selected|focused)\b/.test((await row.getAttribute('class')) ?? ''));
    await vscode.screenshot('4-revealed-in-explorer');

    // Open: the file in an editor.
    await vscode.runCommand('Team Messenger: Open Chat');
    await again.getByRole('button', { name: 'Open file notes (1).txt' }).click();
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'notes (1).txt' }), 'notes (1).txt open in an editor');
  });

  it('a declined offer reads as an outcome on the card, not as an error', async function () {
    const { bob, aliceId } = await connectBob();
    const frame = await openConversation(vscode, 'bob');
    await extensionHostCaughtUp(vscode);
    const offered = await bobOffers(bob, aliceId, 'huge.iso', crypto.randomBytes(2048));
    const offer = card(frame, 'bob offers huge.iso (2.0 KB)');
    await vscode.waitForVisible(offer.getByRole('button', { name: 'Decline huge.iso from bob' }), 'the offer card');
    await offer.getByRole('button', { name: 'Decline huge.iso from bob' }).click();
    await vscode.waitForVisible(offer.locator('.file-card-status-text', { hasText: /^You declined\.$/ }), 'the card to say "You declined."');
    assert.match((await vscode.waitUntil('bob to hear the answer', offered.outcome)) ?? '', /^DECLINED/);
    assert.ok(await offer.evaluate((el) => el.classList.contains('tone-neutral')), 'an outcome, not an error');
    assert.equal(await offer.locator('button').count(), 0, 'nothing left to answer');
    assert.equal(await vscode.page.locator('.notifications-toasts .notification-toast').count(), 0, 'no error toast');
    assert.ok(!fs.existsSync(path.join(downloads, 'huge.iso')));
    await vscode.screenshot('5-declined');
  });

  it('Open Chat goes to the conversation with unread messages; a shared range is named whole', async function () {
    const { bob, aliceId } = await connectBob();
    await openFile(vscode, 'notes.md');
    await extensionHostCaughtUp(vscode);
    await bob.client.send([aliceId], 'const a = 1;\n', { code: { path: 'src/app.ts', startLine: 10, endLine: 24, language: 'typescript' } });
    await vscode.waitForSteady(notification(vscode, 'bob: shared src/app.ts, lines 10–24'), 'the notification naming the whole range');
    await clearNotifications(vscode);
    await vscode.runCommand('Team Messenger: Open Chat');
    await vscode.waitForVisible(
      chat(vscode).locator('.conversation-header .header-title', { hasText: /^bob$/ }),
      "the chat opens on bob's unread conversation",
    );
  });

  it('a message typed while the relay is down is kept across a reload and arrives once it is back', async function () {
    const { bob } = await connectBob();
    let frame = await openConversation(vscode, 'bob');
    const text = `written while offline ${Date.now()}`;

    await stopRelay();
    await vscode.waitForVisible(frame.locator('#banner:not([hidden])'), 'the chat to say it is not connected');
    await vscode.waitForVisible(frame.locator('#composer-note', { hasText: 'Offline: messages you send wait here' }), 'the composer to say messages wait');
    await frame.locator('#composer-input').click();
    await vscode.page.keyboard.type(text);
    await vscode.page.keyboard.press('Enter');
    const pending = frame.locator('#log .message.own', { hasText: text });
    await vscode.waitForVisible(pending.locator('.delivery-icon.state-pending'), 'the message shown as pending');
    assert.equal(await frame.locator('#composer-input').inputValue(), '', 'taken from the box: it is in the conversation');
    await vscode.screenshot('6-offline-pending');

    // Another editor over the chat, then a reload while still offline: VS Code restores the chat's
    // tab without building it (it is not shown).
    await openFile(vscode, 'notes.md');
    await vscode.page.reload({ waitUntil: 'domcontentloaded' });
    await vscode.waitForVisible(vscode.page.locator('.monaco-workbench'), 'the workbench after the reload');
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab', { hasText: 'Team Messenger' }), "the chat's tab, restored");

    await startRelay();
    const arrived = await vscode.waitUntil('bob to receive the message typed offline', () => bob.messages.find((m) => m.text === text), 90_000);
    assert.equal(arrived.fromName, 'alice');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(bob.messages.filter((m) => m.text === text).length, 1, 'exactly once');

    // Clicking bob in the Peers view shows the restored tab: no second chat tab.
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'bob online again');
    await peerRow(vscode, 'bob', 'online').click();
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'Team Messenger' }), 'the chat to be the active editor');
    frame = chat(vscode);
    await vscode.waitForVisible(frame.locator('.conversation-header .header-title', { hasText: /^bob$/ }), "bob's conversation");
    await vscode.waitUntil('the message in the chat', async () => (await shownMessageTexts(frame)).includes(text));
    await vscode.waitForVisible(frame.locator('#log .message.own', { hasText: text }).locator('.delivery-icon.state-delivered'), 'the message delivered');
    assert.equal(await vscode.page.locator('.tabs-container .tab', { hasText: 'Team Messenger' }).count(), 1, 'one chat tab');
    // The cards of the first scenarios outlived the reload: where the files went, what was declined.
    const kept = card(frame, 'bob offers notes.txt (3.0 KB)');
    await vscode.waitForVisible(
      kept.locator('.file-card-status-text', { hasText: `Saved to ${path.join(downloads, 'notes (1).txt')}` }),
      'the saved card after the reload',
    );
    await vscode.waitForVisible(
      card(frame, 'bob offers huge.iso (2.0 KB)').locator('.file-card-status-text', { hasText: 'You declined.' }),
      'the declined card after the reload',
    );
    await vscode.screenshot('7-delivered-after-reconnect');
  });
});
