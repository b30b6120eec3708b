import * as assert from 'assert';
import { patchView } from '../../src/views/codeMessageViews';
import type { MessageView } from '../../src/views/chatProtocol';
import { ChatPage, useChatPage } from './chatPage';
import { BOB_MESSAGES, HOSTILE, MIN, NOON, bobView, init, peerMessage } from './fixtures';
import { DARK, LIGHT } from './themes';

/**
 * Code-aware messages (issue 28) as the reader sees them, in a real Chromium with the real
 * document and script: a patch's card (summary, folded diffs with line numbers, Preview and
 * Apply asking the extension by message id), and terminal / problem blocks whose `path:line`s
 * (stack-trace forms included) are links that name their place in the text, never a path.
 */

const PATCH_TEXT = [
  'diff --git a/src/app.ts b/src/app.ts',
  'index 1111111..2222222 100644',
  '--- a/src/app.ts',
  '+++ b/src/app.ts',
  '@@ -1,4 +1,4 @@',
  ' export function add(a: number, b: number): number {',
  '-  return a + b;',
  '+  return a + b + 0; // explicit',
  ' }',
  ' ',
  'diff --git a/README.md b/README.md',
  'new file mode 100644',
  'index 0000000..3333333',
  '--- /dev/null',
  '+++ b/README.md',
  '@@ -0,0 +1,2 @@',
  '+# App',
  `+${HOSTILE.script}`,
  '',
].join('\n');

const patchMessage: MessageView = {
  ...peerMessage('p1', 'My changes to the adder', NOON - 5 * MIN),
  patch: patchView({
    text: PATCH_TEXT,
    files: [
      { path: 'src/app.ts', change: 'modified', added: 1, removed: 1 },
      { path: 'README.md', change: 'added', added: 2, removed: 0 },
    ],
    repositories: ['github.com/team/app'],
  }),
};

const TRACE = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at handle (/home/bob/app/src/router.ts:42:17)',
  '    at Array.forEach (<anonymous>)',
  `    at main (src/main.ts:7:3) ${HOSTILE.script}`,
].join('\n');
const terminalMessage: MessageView = { ...peerMessage('t1', TRACE, NOON - 4 * MIN), block: 'terminal' };
const problemMessage: MessageView = {
  ...peerMessage('q1', "src/app.ts:2:10 - error ts: Cannot find name 'zwei'. (ts2304)\n\n    1 | const one = 1;\n    2 > return zwei;", NOON - 3 * MIN),
  block: 'problem',
  problem: { path: 'src/app.ts', line: 2, column: 10, severity: 'error', message: "Cannot find name 'zwei'.", source: 'ts' },
};

describe('chat webview: patches, terminal output and problems (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));
  const page = () => chat.page;
  const show = (messages: MessageView[]) => chat.send(init({ selected: bobView({ messages: [...BOB_MESSAGES, ...messages] }) }));

  it('shows a patch: summary, files with counts, the diff with line numbers; Preview and Apply name the message', async () => {
    await chat.setTheme(DARK);
    await show([patchMessage]);
    const card = page().locator('.message[data-message-id="p1"] .patch-card');
    await card.waitFor();
    assert.equal(await card.locator('.patch-summary').textContent(), '2 files changed, +3 −1');
    assert.equal(await card.locator('.patch-repository').textContent(), 'github.com/team/app');
    assert.deepEqual(await card.locator('.patch-file-title').allTextContents(), ['src/app.ts', 'README.md']);
    assert.deepEqual(await card.locator('.patch-file-counts').allTextContents(), ['+1 −1', '+2 −0']);
    // Folded: opening a file shows its rows, old and new numbers beside each line.
    await card.locator('.patch-file-header').first().click();
    const rows = card.locator('.patch-file').first().locator('tr');
    assert.deepEqual(await rows.nth(2).locator('td').allTextContents(), ['2', '', '−', '  return a + b;']);
    assert.deepEqual(await rows.nth(3).locator('td').allTextContents(), ['', '2', '+', '  return a + b + 0; // explicit']);
    await card.locator('.patch-file-header').nth(1).click();
    assert.equal(await card.locator('.diff-add .diff-text').last().textContent(), HOSTILE.script, 'markup in a diff stays text');
    await chat.screenshot('code-patch-card-dark');

    await card.getByRole('button', { name: /^Preview changes/ }).click();
    assert.deepEqual(await chat.waitForPosted((m) => m.type === 'preview-patch'), { type: 'preview-patch', conversationId: 'peer:bob', messageId: 'p1' });
    // Keyboard: Apply is reachable and pressed with Enter.
    await card.getByRole('button', { name: /^Apply changes/ }).focus();
    await page().keyboard.press('Enter');
    assert.deepEqual(await chat.waitForPosted((m) => m.type === 'apply-patch'), { type: 'apply-patch', conversationId: 'peer:bob', messageId: 'p1' });
    assert.equal(await chat.pwned(), undefined);
  });

  it('a patch that cannot be read says so, and cannot be previewed or applied', async () => {
    await show([
      {
        ...patchMessage,
        id: 'p2',
        patch: patchView({
          text: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n one\n',
          files: [{ path: 'x', change: 'modified', added: 0, removed: 0 }],
        }),
      },
    ]);
    const card = page().locator('.message[data-message-id="p2"] .patch-card');
    await card.waitFor();
    assert.match((await card.locator('.patch-problem').textContent()) ?? '', /cannot be read/);
    assert.equal(await card.getByRole('button', { name: /^Apply changes/ }).isDisabled(), true);
    assert.equal(await card.getByRole('button', { name: /^Preview changes/ }).isDisabled(), true);
  });

  it('makes every path:line of terminal output and of a problem a link that names its index', async () => {
    await chat.setTheme(LIGHT);
    await show([terminalMessage, problemMessage]);
    const terminal = page().locator('.message[data-message-id="t1"] .location-block');
    await terminal.waitFor();
    assert.equal(await terminal.locator('pre').textContent(), TRACE, 'the text whole, as sent');
    assert.deepEqual(await terminal.locator('.location-link').allTextContents(), ['/home/bob/app/src/router.ts:42:17', 'src/main.ts:7:3']);
    await terminal.getByRole('button', { name: 'Open src/main.ts, line 7, column 3' }).click();
    assert.deepEqual(await chat.waitForPosted((m) => m.type === 'open-location'), {
      type: 'open-location',
      conversationId: 'peer:bob',
      messageId: 't1',
      index: 1,
    });

    const problem = page().locator('.message[data-message-id="q1"] .location-block');
    assert.match((await problem.locator('.code-header').textContent()) ?? '', /src\/app\.ts:2:10 error \(ts\): Cannot find name 'zwei'\./);
    await chat.clearPosted();
    await problem.locator('.code-header').getByRole('button', { name: 'Open src/app.ts:2:10' }).click();
    assert.deepEqual(await chat.waitForPosted((m) => m.type === 'open-location'), {
      type: 'open-location',
      conversationId: 'peer:bob',
      messageId: 'q1',
      index: -1,
    });
    assert.equal(await chat.pwned(), undefined);
    await chat.screenshot('code-terminal-and-problem-light');
  });
});
