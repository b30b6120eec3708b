import * as assert from 'assert';
import type { Route } from 'playwright-core';
import type { MessageView } from '../../src/views/chatProtocol';
import { type ChatPage, useChatPage } from './chatPage';
import { MIN, NOON, bobView, init, manyMessages, peerMessage } from './fixtures';
import { HOSTILE_MARKDOWN } from './richTextFixtures';

/**
 * The first screen does not wait for the formatter (markdown-it and shiki, a bundle the page
 * imports once it has painted): messages are readable text at once, inert, and are formatted in
 * place when it arrives, the reader left where they were. It is held back here
 * (the test answers its request only when told) to look at the page in between.
 */

interface PageScroller {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}
declare const document: { getElementById(id: string): PageScroller };
declare function requestAnimationFrame(callback: () => void): void;

const FORMATTER = '**/dist/webview-formatter.js';

describe('chat webview: the first screen before the formatter (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  let release: () => void;
  beforeEach(async () => {
    chat = session.chat;
    const held: Route[] = [];
    let released = false;
    release = () => {
      released = true;
      for (const route of held.splice(0)) void route.continue();
    };
    await chat.page.route(FORMATTER, (route) => (released ? route.continue() : held.push(route)));
  });
  afterEach(() => release());

  const row = (id: string) => chat.page.locator(`#log .message[data-message-id="${id}"]`);

  it('shows messages as readable text before the formatter loads, and formatted after', async () => {
    const text = '**Release** notes\nsecond line\n\n```ts\nconst x: number = 1;\n```\n\nsee [docs](https://docs.example/) <b>not bold</b>';
    await chat.send(init({ selected: bobView({ messages: [peerMessage('m1', text, NOON - MIN)] }) }));
    const body = row('m1').locator('.message-text');
    await body.waitFor();
    assert.strictEqual(await body.evaluate((el) => el.className), 'message-text markdown unformatted');
    assert.deepStrictEqual(await body.locator('p').allTextContents(), ['**Release** notessecond line', 'see [docs](https://docs.example/) <b>not bold</b>']);
    assert.strictEqual(await body.locator('p').first().locator('br').count(), 1, 'a line break as a break');
    assert.strictEqual(await body.locator('pre code').textContent(), 'const x: number = 1;', 'the fenced block as a code block');
    assert.strictEqual(await body.locator('strong, a, b').count(), 0, 'nothing formatted, nothing clickable, markup as characters');
    // Held back for a while: still text.
    await chat.page.waitForTimeout(300);
    assert.strictEqual(await row('m1').locator('.unformatted').count(), 1);

    release();
    await chat.formatted();
    const formatted = row('m1').locator('.message-text');
    assert.strictEqual(await formatted.evaluate((el) => el.className), 'message-text markdown');
    assert.strictEqual(await formatted.locator('strong').textContent(), 'Release');
    assert.strictEqual(await formatted.locator('.md-link').textContent(), 'docs');
    assert.strictEqual(await formatted.locator('.md-code-block .code-location').textContent(), 'ts');
    assert.strictEqual(await formatted.locator('b').count(), 0, 'markup stays characters');
  });

  it('keeps the reader at the bottom when the formatted messages change height', async () => {
    const messages: MessageView[] = [
      ...manyMessages(40),
      ...Array.from({ length: 10 }, (_, i) =>
        peerMessage(`md${i}`, `# Heading ${i}\n\n- one\n- two\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |`, NOON + i * MIN),
      ),
    ];
    await chat.send(init({ selected: bobView({ messages }) }));
    await row('md9').waitFor();
    const atBottom = () =>
      chat.page.evaluate(() => {
        const scroller = document.getElementById('messages');
        return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
      });
    assert.ok((await atBottom()) <= 24, 'at the bottom before');
    const before = await row('md9').evaluate((el) => el.getBoundingClientRect().height);
    release();
    await chat.formatted();
    await chat.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const after = await row('md9').evaluate((el) => el.getBoundingClientRect().height);
    assert.notStrictEqual(after, before, 'the formatted message has another height');
    assert.ok((await atBottom()) <= 24, `still at the bottom after (${await atBottom()} px above it)`);
    assert.strictEqual(await row('md9').locator('table').count(), 1);
  });

  it('keeps the hostile corpus inert before the formatter and after', async () => {
    const messages = HOSTILE_MARKDOWN.map((entry, i) => peerMessage(`h${i}`, entry.text, NOON - (HOSTILE_MARKDOWN.length - i) * MIN));
    await chat.send(init({ selected: bobView({ messages }) }));
    await row(`h${messages.length - 1}`).waitFor();
    assert.ok((await chat.page.locator('.unformatted').count()) > 0, 'shown before the formatter');
    release();
    await chat.formatted();
    assert.strictEqual(await chat.pwned(), undefined);
    assert.strictEqual(await chat.page.locator('#log script, #log iframe, #log img, #log [onerror], #log [onclick]').count(), 0);
  });
});
