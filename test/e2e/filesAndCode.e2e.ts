import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snippetHash } from '../../src/model/code/codeLink';
import type { VsCodeHarness } from './harness';
import {
  aliceAndBob,
  chat,
  clearNotifications,
  clickMenuItem,
  clickNotificationButton,
  goToLine,
  HeadlessPeer,
  notification,
  openFile,
  pickPeers,
  sha256,
  tempDir,
} from './team';

const SAMPLE = [
  '// sample.ts: a few lines to share from the editor',
  'export function add(a: number, b: number): number {',
  '  return a + b; // <tag> & "quotes" stay as they are',
  '}',
  '',
  'export const answer = add(40, 2);',
  '',
].join('\n');

/**
 * Files and code between alice (VS Code, connected at start-up to a relay without a secret) and bob
 * (a headless TeamClient here): the Explorer's "Send to Peer…", an offer from bob accepted in a
 * notification into teamMessenger.downloadFolder, and "Share Selection with Peer…" from an editor.
 * One VS Code for the block; every scenario connects bob (same identity) and closes him afterwards.
 */
describe('e2e Team Messenger: files and shared code', function () {
  let downloads: string;
  const team = aliceAndBob({
    name: 'files',
    workspaceFiles: { 'src/sample.ts': SAMPLE, 'notes.md': '# Team notes\n' },
    settings: (suite) => {
      downloads = tempDir(suite, 'downloads');
      return { 'teamMessenger.downloadFolder': downloads };
    },
  });

  async function connectBob(): Promise<{ vscode: VsCodeHarness; bob: HeadlessPeer; aliceId: string }> {
    const connected = await team.connectBob();
    const { vscode } = connected;
    await vscode.openActivityBarItem('Team Messenger');
    // An earlier scenario's offer is a message in their conversation: the row may say it is unread.
    await vscode.waitForVisible(vscode.page.locator('.monaco-list-row[aria-label^="bob, online"]'), 'alice to see bob online');
    await clearNotifications(vscode);
    return connected;
  }

  it('sends a workspace file to bob from the Explorer context menu (identical bytes)', async function () {
    const { vscode, bob } = await connectBob();
    bob.autoAcceptDir = tempDir(team.scenario, 'bob-inbox');
    // Binary content, every byte value: written after start-up, so the Explorer's file watcher shows it.
    const payload = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), crypto.randomBytes(300 * 1024)]);
    const file = path.join(vscode.workspaceDir, 'payload.bin');
    fs.writeFileSync(file, payload);
    team.scenario.add('remove payload.bin', () => fs.rmSync(file, { force: true }));

    await vscode.openActivityBarItem('Explorer');
    const row = vscode.listRow('payload.bin');
    await vscode.waitForVisible(row, 'payload.bin in the Explorer');
    await row.click({ button: 'right' });
    await vscode.waitForVisible(vscode.page.getByRole('menuitem', { name: /^Send to Peer…/ }), '"Send to Peer…" in the Explorer context menu');
    await vscode.screenshot('1-explorer-context-menu');
    await clickMenuItem(vscode, 'Send to Peer…');
    await pickPeers(vscode, 'Send to…', ['bob']);

    const [received] = await vscode.waitUntil('bob to receive payload.bin', () => (bob.received.length > 0 ? bob.received : undefined), 60_000);
    assert.equal(received.name, 'payload.bin');
    assert.equal(path.dirname(received.path), bob.autoAcceptDir);
    assert.equal(sha256(received.path), sha256(file), 'bob has the same bytes');
    assert.equal(fs.statSync(received.path).size, payload.length);
    await vscode.waitForSteady(notification(vscode, 'bob received payload.bin (300 KB) (checksums verified)'), 'the "bob received" notification');
    await vscode.waitForHidden(notification(vscode, 'Sending payload.bin'), 'the progress notification to end');
    await vscode.screenshot('2-sent-to-bob');
  });

  it('accepts a file bob offers in a notification; it lands in the download folder (identical bytes)', async function () {
    const { vscode, bob, aliceId } = await connectBob();
    const outbox = tempDir(team.scenario, 'bob-outbox');
    const source = path.join(outbox, 'from-bob.bin');
    fs.writeFileSync(source, crypto.randomBytes(200 * 1024 + 17));
    const transfer = await bob.client.sendFiles(aliceId, [source]);
    let finished: string | undefined;
    transfer.done.then(
      () => (finished = 'done'),
      (err: Error) => (finished = `failed: ${err.message}`),
    );

    const offer = 'bob wants to send you from-bob.bin';
    await vscode.waitForSteady(notification(vscode, offer), 'the offer notification');
    await vscode.screenshot('3-offer-from-bob');
    await clickNotificationButton(vscode, offer, 'Accept');

    assert.equal(await vscode.waitUntil('the transfer to finish', () => finished, 60_000), 'done');
    const landed = path.join(downloads, 'from-bob.bin');
    assert.ok(fs.existsSync(landed), `nothing at ${landed}; the download folder holds ${JSON.stringify(fs.readdirSync(downloads))}`);
    assert.equal(sha256(landed), sha256(source), 'alice has the same bytes');
    assert.deepEqual(
      fs.readdirSync(downloads).filter((n) => n.startsWith('from-bob')),
      ['from-bob.bin'],
      'no temp or duplicate files left',
    );
    await vscode.waitForSteady(notification(vscode, 'Received from-bob.bin from bob'), 'the "Received …" notification');
    await vscode.waitForHidden(notification(vscode, 'Receiving from-bob.bin'), 'the progress notification to end');
    await vscode.screenshot('4-received-from-bob');
  });

  it('shares the selected lines with bob: path, lines, language and the exact text', async function () {
    const { vscode, bob, aliceId } = await connectBob();
    await openFile(vscode, 'sample.ts');
    // Lines 2-4 with the keyboard: go to line 2, then Shift+Down three times (ends at the start of line 5).
    await goToLine(vscode, '2');
    for (let i = 0; i < 3; i++) await vscode.page.keyboard.press('Shift+ArrowDown');
    const lines = SAMPLE.split('\n');
    const expectedText = lines.slice(1, 4).join('\n') + '\n';
    await vscode.waitForVisible(
      vscode.page.locator('.statusbar-item', { hasText: `Ln 5, Col 1 (${expectedText.length} selected)` }),
      'the selection of lines 2-4 in the status bar',
    );
    await vscode.screenshot('5-selection');

    await vscode.runCommand('Team Messenger: Share Selection with Peer…');
    await pickPeers(vscode, 'Share Selection with…', ['bob']);

    const got = await vscode.waitUntil('bob to receive the shared code', () => bob.messages.find((m) => m.from === aliceId && m.code));
    // No git here: the path from the workspace folder, and the lines' hash (issue 28) to tell whether the receiver's copy still has them.
    assert.deepEqual(got.code, { path: 'src/sample.ts', startLine: 2, endLine: 4, language: 'typescript', snippetHash: snippetHash(expectedText) });
    assert.equal(got.text, expectedText);
    assert.deepEqual(got.to, [bob.clientId]);

    // The chat opens on bob's conversation with the shared code in it.
    const frame = chat(vscode);
    await vscode.waitForVisible(frame.locator('.conversation-header .header-title', { hasText: /^bob$/ }), "the chat on bob's conversation");
    const block = frame.locator('#log .code-block').last();
    await vscode.waitForVisible(block, 'the shared code in the chat');
    assert.equal(await block.locator('.code-location').textContent(), 'src/sample.ts:2-4');
    assert.equal(await block.locator('pre code').textContent(), expectedText);
    await vscode.screenshot('6-shared-selection');
  });
});
