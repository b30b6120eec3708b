import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VsCodeHarness } from './harness';
import { Cleanup, clearNotifications, clickNotificationButton, HeadlessPeer, launchAlice, notification, peerRow, startRelay, tempDir } from './team';

/**
 * A peer's words never become a link, a command or an icon in the receiver's VS Code. bob (a
 * headless client) sends alice a message, and offers her a file, whose text is a `command:` link
 * that would type `touch <marker>` into her open terminal. The notifications must show the text
 * literally, hold no link element, and clicking where the link would be must run nothing.
 */
describe('e2e Team Messenger: hostile text in notifications', function () {
  const suite = new Cleanup();
  let vscode: VsCodeHarness;
  let bob: HeadlessPeer;
  let aliceId: string;
  let marker: string;

  /** A `command:` link that would create the marker file (in the workspace, the terminal's folder). */
  function attackTarget(): string {
    const args = encodeURIComponent(JSON.stringify({ text: `touch ${path.basename(marker)}\n` }));
    return `command:workbench.action.terminal.sendSequence?${args}`;
  }
  function attackLink(label: string): string {
    return `[${label}](${attackTarget()})`;
  }

  /** Clicks the middle of `word` inside a notification's message, where a link would be. */
  async function clickWord(toast: ReturnType<typeof notification>, word: string): Promise<void> {
    const message = toast.locator('.notification-list-item-message').first();
    const handle = await message.elementHandle();
    assert.ok(handle, 'the notification has a message element');
    // Source text: these tests compile without the DOM's types; it runs in the page.
    const rect = (await handle.evaluate(
      new Function(
        'el',
        'word',
        `const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
         for (let node = walker.nextNode(); node; node = walker.nextNode()) {
           const at = node.textContent.indexOf(word);
           if (at < 0) continue;
           const range = document.createRange();
           range.setStart(node, at);
           range.setEnd(node, at + word.length);
           const r = range.getBoundingClientRect();
           return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
         }
         return undefined;`,
      ) as (el: unknown, word: string) => { x: number; y: number } | undefined,
      word,
    )) as { x: number; y: number } | undefined;
    assert.ok(rect, `"${word}" is in the notification's text`);
    await vscode.page.mouse.click(rect.x, rect.y);
  }

  beforeEach(() => fs.rmSync(marker, { force: true }));

  /**
   * The toast whose message starts with `start`: clicking `word` runs nothing (the terminal would
   * have run `touch` within a moment), and its message is the text shown literally, with no link.
   */
  async function checkToast(start: string, shot: string, word: string): Promise<string> {
    const toast = notification(vscode, start);
    await vscode.waitForSteady(toast, `the notification "${start}…"`);
    await vscode.screenshot(shot);
    await clickWord(toast, word);
    await vscode.page.waitForTimeout(2000);
    assert.ok(!fs.existsSync(marker), `the link ran: ${marker} exists`);
    const message = toast.locator('.notification-list-item-message').first();
    assert.equal(await message.locator('a, .monaco-link').count(), 0, 'no link element');
    return ((await message.textContent()) ?? '').replace(/\u2060/g, '');
  }

  before(async function () {
    const relay = await startRelay(suite);
    vscode = await launchAlice(suite, { name: 'hostile', server: relay.server, workspaceFiles: { 'notes.md': '# Team notes\n' } });
    marker = path.join(vscode.workspaceDir, 'pwned');
    // An open terminal: what the link in the report typed into.
    await vscode.runCommand('Terminal: Create New Terminal');
    const terminal = await vscode.waitForVisible(vscode.page.locator('.terminal-wrapper .xterm').first(), 'a terminal');
    // The shell runs what reaches it (as the link's text would): typed here, it makes a file.
    const ready = path.join(vscode.workspaceDir, 'terminal-ready');
    await terminal.click();
    await vscode.page.keyboard.type('touch terminal-ready\n');
    await vscode.waitUntil('the terminal to run a typed command', () => fs.existsSync(ready) || undefined);
    bob = await HeadlessPeer.connect(suite, { port: relay.port, name: 'bob' });
    aliceId = await vscode.waitUntil('bob to see alice online', () => bob.peerId('alice'));
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'alice to see bob online');
    await clearNotifications(vscode);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') vscode?.markFailed();
  });

  after(async function () {
    await suite.run();
  });

  it('shows a message that is a command: link as its characters; clicking it runs nothing', async function () {
    const text = `Notes ${attackLink('here')}`;
    await bob.tell(aliceId, text);
    assert.ok(text.length < 140, 'the whole link fits in the preview, as in the report');
    const shown = await checkToast('bob: Notes', 'hostile-1-message-notification', 'here');
    // The preview is the message's markdown as plain text: a link as its words and its target.
    assert.equal(shown, `bob: Notes here (${attackTarget()})`, 'the link as plain characters, its target in sight');
  });

  it('shows an offered file named as a command: link as its characters; clicking it runs nothing', async function () {
    const outbox = tempDir(suite, 'bob-outbox');
    const name = `${attackLink('release notes')}.txt`;
    const file = path.join(outbox, name);
    fs.writeFileSync(file, 'notes\n');
    const transfer = await bob.client.sendFiles(aliceId, [file]);
    transfer.done.catch(() => undefined);
    const shown = await checkToast('bob wants to send you', 'hostile-2-offer-notification', 'release');
    assert.equal(shown, `bob wants to send you ${name} (6 B).`, 'the file name as offered');
    await clickNotificationButton(vscode, 'bob wants to send you', 'Decline');
    await assert.rejects(transfer.done, /declined/);
  });
});
