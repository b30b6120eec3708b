import * as assert from 'assert';
import type { SearchHitView } from '../../src/views/chatProtocol';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, DEPLOYS_MESSAGES, DEPLOYS_REPLIES, HOSTILE, MIN, NOON, bobView, deploysView, init, manyMessages, ownMessage, peerMessage } from './fixtures';

/**
 * The side pane: a thread beside the conversation (parent, replies, its own composer) and the
 * search pane (query, results, More, jump to a hit). In a real Chromium, as chat.webview.test.ts.
 */
describe('chat webview: threads and search (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const message = (id: string) => page().locator(`#log .message[data-message-id="${id}"]`);
  const pane = () => page().locator('#thread-pane');
  const threadInput = () => page().locator('#thread-input');
  const showDeploys = async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await message('d6').waitFor();
    await chat.clearPosted();
  };
  const openThread = async () => {
    await message('d2').locator('.thread-summary').click();
    await chat.waitForPosted((m) => m.type === 'open-thread');
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: true });
    await pane().locator('.message[data-message-id="r2"]').waitFor();
  };

  it('opens a thread beside the conversation: the parent, its replies, a composer of its own', async () => {
    await showDeploys();
    await message('d2').locator('.thread-summary').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'open-thread'), {
      type: 'open-thread',
      conversationId: 'channel:deploys',
      messageId: 'd2',
    });
    assert.ok(await pane().isVisible());
    assert.ok(await page().locator('#conversation').isVisible(), 'the conversation stays beside it');
    // The parent at once (the conversation holds it); the replies once the extension sends them.
    assert.strictEqual(await pane().locator('#thread-parent .message-text').textContent(), DEPLOYS_MESSAGES[1]!.text);
    assert.strictEqual(await pane().locator('#thread-context').textContent(), '#deploys');
    assert.strictEqual(await page().locator('#thread-status').textContent(), 'Loading replies…');
    await page().locator('#thread-input:focus').waitFor();

    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: true });
    await pane().locator('.message[data-message-id="r2"]').waitFor();
    assert.deepStrictEqual(
      await pane().locator('#thread-replies .message-text').allTextContents(),
      DEPLOYS_REPLIES.map((m) => m.text),
    );
    assert.strictEqual(await pane().locator('.thread-count-line').textContent(), '2 replies');
    assert.strictEqual(await pane().locator('#thread-parent .thread-summary').count(), 0, 'no reply count inside the thread');
    assert.strictEqual(await pane().locator('button[aria-label="Reply in thread"]').count(), 0);
    assert.strictEqual(await page().locator('#thread-status').textContent(), '');

    // Earlier replies on request.
    await chat.clearPosted();
    await pane().locator('#thread-load-older').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'open-thread'), {
      type: 'open-thread',
      conversationId: 'channel:deploys',
      messageId: 'd2',
      beforeId: 'r1',
    });
    await chat.send({
      type: 'thread',
      conversationId: 'channel:deploys',
      parentId: 'd2',
      replies: [{ ...peerMessage('r0', 'first!', NOON - 29 * MIN), thread: 'd2' }],
      hasOlder: false,
      older: true,
    });
    await pane().locator('.message[data-message-id="r0"]').waitFor();
    assert.deepStrictEqual(await pane().locator('#thread-replies .message-text').allTextContents(), ['first!', ...DEPLOYS_REPLIES.map((m) => m.text)]);
    assert.ok(await page().locator('#thread-older').isHidden());

    // The parent in the conversation: scrolled to and highlighted (held: nothing to ask).
    await chat.clearPosted();
    await page().locator('#thread-show-parent').click();
    await message('d2').locator('xpath=self::*[contains(@class, "highlight")]').waitFor();
    assert.deepStrictEqual(
      (await chat.posted()).filter((m) => m.type === 'jump'),
      [],
    );
  });

  it('replies from the thread’s composer; live replies go to the thread, not the conversation; the parent’s count updates', async () => {
    await showDeploys();
    await openThread();
    await chat.clearPosted();
    await threadInput().click();
    await page().keyboard.type('ship it');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'reply'), {
      type: 'reply',
      conversationId: 'channel:deploys',
      parentId: 'd2',
      text: 'ship it',
    });
    assert.strictEqual(await threadInput().inputValue(), '');

    // The reply shows pending, then acknowledged in place.
    const pending = { ...ownMessage('local:x1', 'ship it', NOON, 'pending'), thread: 'd2' };
    await chat.send({ type: 'message', conversationId: 'channel:deploys', message: pending });
    await pane().locator('.message[data-message-id="local:x1"]').waitFor();
    await chat.send({
      type: 'message',
      conversationId: 'channel:deploys',
      message: { ...pending, id: 'x1', state: 'delivered', seq: 120 },
      previousId: 'local:x1',
    });
    await pane().locator('.message[data-message-id="x1"]').waitFor();
    assert.strictEqual(await pane().locator('#thread-replies .message').count(), 3);
    assert.strictEqual(await message('x1').count(), 0, 'replies stay out of the conversation');

    // Someone else replies; the relay updates the parent's count.
    await chat.send({ type: 'message', conversationId: 'channel:deploys', message: { ...peerMessage('x2', 'done here', NOON + MIN), thread: 'd2', seq: 121 } });
    await pane().locator('.message[data-message-id="x2"]').waitFor();
    await chat.send({
      type: 'updated',
      conversationId: 'channel:deploys',
      message: { ...DEPLOYS_MESSAGES[1]!, replies: { count: 4, lastTs: NOON + MIN, names: ['bob', 'alice', 'carol'] } },
    });
    await message('d2').locator('.thread-count', { hasText: '4 replies' }).waitFor();

    // A reply for another thread is not shown here.
    await chat.send({ type: 'message', conversationId: 'channel:deploys', message: { ...peerMessage('y1', 'elsewhere', NOON + MIN), thread: 'd5' } });
    await page().waitForTimeout(100);
    assert.strictEqual(await page().locator('.message[data-message-id="y1"]').count(), 0);

    // Up in the thread's empty box edits the user's last reply.
    await threadInput().click();
    await page().keyboard.press('ArrowUp');
    await pane().locator('.inline-editor-input:focus').waitFor();
    assert.strictEqual(await pane().locator('.inline-editor-input').inputValue(), 'ship it');
    await page().keyboard.type('!');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'edit'), {
      type: 'edit',
      conversationId: 'channel:deploys',
      messageId: 'x1',
      text: 'ship it!',
    });
    assert.ok(await pane().isVisible(), 'Enter in the editor did not close the thread');
  });

  it('Escape or the close button closes the thread; the focus goes back to the composer', async () => {
    await showDeploys();
    await openThread();
    await threadInput().click();
    await page().keyboard.press('Escape');
    await pane().waitFor({ state: 'hidden' });
    assert.ok(await page().locator('#side-pane').isHidden());
    await page().locator('#composer-input:focus').waitFor();

    await openThread();
    await page().locator('#thread-close').click();
    await pane().waitFor({ state: 'hidden' });

    // Another conversation closes it too.
    await openThread();
    await chat.send({ type: 'conversation', conversation: bobView() });
    await pane().waitFor({ state: 'hidden' });
  });

  it('search: the query goes to the extension; results list conversation, author, time and text; More asks for the next page', async () => {
    await showDeploys();
    await page().locator('#open-search').click();
    const search = page().locator('#search-pane');
    await search.waitFor();
    await page().locator('#search-input:focus').waitFor();
    assert.ok(await pane().isHidden());
    await page().keyboard.type('deploy from:bob in:#deploys');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'search'), { type: 'search', query: 'deploy from:bob in:#deploys' });
    assert.strictEqual(await page().locator('#search-status').textContent(), 'Searching…');

    const hits: SearchHitView[] = [
      { conversationId: 'channel:deploys', title: '#deploys', message: { ...peerMessage('d9', 'Deploying the hotfix now', NOON - 3 * MIN), seq: 300 } },
      { conversationId: 'channel:deploys', title: '#deploys', message: { ...peerMessage('d8', 'deploy window is 12-13', NOON - 26 * 60 * MIN), seq: 290 } },
    ];
    // An answer to an older query is dropped.
    await chat.send({ type: 'search-results', query: 'deploy', hits: [hits[0]!], more: false, append: false });
    await chat.send({ type: 'search-results', query: 'deploy from:bob in:#deploys', hits, more: true, append: false });
    const results = page().locator('.search-hit');
    await results.nth(1).waitFor();
    assert.strictEqual(await results.count(), 2);
    assert.deepStrictEqual(await results.locator('.search-hit-conversation').allTextContents(), ['#deploys', '#deploys']);
    assert.deepStrictEqual(await results.locator('.search-hit-author').allTextContents(), ['bob', 'bob']);
    assert.deepStrictEqual(await results.locator('time').allTextContents(), ['11:57 AM', 'Yesterday, 10:00 AM']);
    assert.deepStrictEqual(await results.locator('.search-hit-text').allTextContents(), ['Deploying the hotfix now', 'deploy window is 12-13']);
    assert.deepStrictEqual(await results.locator('mark').allTextContents(), ['Deploy', 'deploy'], 'the words searched for are marked');
    assert.strictEqual(await results.nth(0).getAttribute('aria-label'), 'bob in #deploys, 11:57 AM: Deploying the hotfix now');
    assert.strictEqual(await page().locator('#search-status').textContent(), '2+ results');

    await chat.clearPosted();
    await page().locator('#search-more').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'search'), { type: 'search', query: 'deploy from:bob in:#deploys', before: 290 });
    await chat.send({
      type: 'search-results',
      query: 'deploy from:bob in:#deploys',
      hits: [{ conversationId: 'peer:bob', title: 'bob', message: { ...peerMessage('b1', 'can you deploy?', NOON - 40 * 60 * MIN), seq: 200 } }],
      more: false,
      append: true,
    });
    await results.nth(2).waitFor();
    assert.ok(await page().locator('#search-more').isHidden());
    assert.strictEqual(await page().locator('#search-status').textContent(), '3 results');

    // Up and Down move between results.
    await results.nth(0).focus();
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await page().locator(':focus .search-hit-text').textContent(), 'can you deploy?');

    // A refusal (a bad query) is said.
    await page().locator('#search-input').fill('before:yesterday');
    await page().keyboard.press('Enter');
    await chat.send({ type: 'search-results', query: 'before:yesterday', hits: [], more: false, append: false, error: 'Search failed: before: wants a date' });
    await page().locator('#search-status.error', { hasText: 'before: wants a date' }).waitFor();
    assert.strictEqual(await results.count(), 0);
    await page().keyboard.press('Escape');
    await page().locator('#search-pane').waitFor({ state: 'hidden' });
  });

  it('a result opens its conversation around the message and highlights it; one already held is jumped to at once', async () => {
    await showDeploys();
    await chat.send({ type: 'show-search', query: 'retry' });
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'search'), { type: 'search', query: 'retry' });
    assert.strictEqual(await page().locator('#search-input').inputValue(), 'retry');
    await chat.send({
      type: 'search-results',
      query: 'retry',
      hits: [
        { conversationId: 'peer:bob', title: 'bob', message: { ...peerMessage('s40', 'line 40 from bob', NOON), seq: 40 } },
        { conversationId: 'channel:deploys', title: '#deploys', message: DEPLOYS_MESSAGES[0]! },
      ],
      more: false,
      append: false,
    });
    await chat.clearPosted();
    await page().locator('.search-hit').first().click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'jump'), { type: 'jump', conversationId: 'peer:bob', messageId: 's40' });
    // The extension answers with the conversation around it (older and newer ones beyond).
    const around = manyMessages(200);
    await chat.send({ type: 'conversation', conversation: bobView({ messages: around, hasOlder: true, hasNewer: true, focusId: 's40' }) });
    const target = message('s40');
    await target.locator('xpath=self::*[contains(@class, "highlight")]').waitFor();
    const inView = await target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const view = el.ownerDocument.getElementById('messages').getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    });
    assert.ok(inView, 'the message is on screen');
    assert.ok(await page().locator('#search-pane').isVisible(), 'the results stay for the next click');
    assert.ok(await page().locator('#jump-latest').isVisible(), '"Latest" while the newest messages are not held');

    // Down to the end of what is held: the newer messages are asked for.
    await chat.clearPosted();
    await page()
      .locator('#messages')
      .evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'load-newer'), { type: 'load-newer', conversationId: 'peer:bob', afterId: 's199' });
    await chat.send({ type: 'newer', conversationId: 'peer:bob', messages: [peerMessage('s200', 'the newest', NOON + 2000 * MIN)], hasNewer: false });
    await message('s200').waitFor();
    // Joined to the present: live messages come in again.
    await chat.send({ type: 'message', conversationId: 'peer:bob', message: peerMessage('live', 'just now', NOON + 2001 * MIN) });
    await message('live').waitFor();

    // A hit the conversation holds: no question to the extension.
    await chat.send({ type: 'conversation', conversation: deploysView() });
    await message('d6').waitFor();
    await chat.clearPosted();
    await page().locator('.search-hit').nth(1).click();
    await message('d1').locator('xpath=self::*[contains(@class, "highlight")]').waitFor();
    assert.deepStrictEqual(
      (await chat.posted()).filter((m) => m.type === 'jump'),
      [],
    );
  });

  it('shows hostile topics, names, emoji and search results as text, running none of it', async () => {
    const evil = peerMessage('e1', HOSTILE.script, NOON - MIN, 'mallory', HOSTILE.img);
    await chat.send(
      init({
        conversations: [...CHANNELS, { ...CHANNELS[1]!, id: 'channel:evil', title: HOSTILE.img, lastText: HOSTILE.css }],
        selected: deploysView({
          id: 'channel:evil',
          title: HOSTILE.img,
          topic: HOSTILE.script,
          memberNames: [HOSTILE.js],
          seen: { messageId: 'e2', names: [HOSTILE.img] },
          messages: [
            {
              ...evil,
              reactions: [{ emoji: HOSTILE.img, count: 1, names: [HOSTILE.script], mine: false }],
              replies: { count: 1, lastTs: NOON, names: [HOSTILE.css] },
            },
            ownMessage('e2', HOSTILE.css, NOON, 'delivered'),
          ],
        }),
      }),
    );
    await message('e2').waitFor();
    await message('e1').locator('.thread-summary').click();
    await chat.send({
      type: 'thread',
      conversationId: 'channel:evil',
      parentId: 'e1',
      replies: [{ ...evil, id: 'e3', thread: 'e1', text: HOSTILE.img }],
      hasOlder: false,
    });
    await pane().locator('.message[data-message-id="e3"]').waitFor();
    await chat.send({ type: 'show-search', query: HOSTILE.script });
    await chat.send({
      type: 'search-results',
      query: HOSTILE.script,
      hits: [{ conversationId: 'channel:evil', title: HOSTILE.img, message: evil }],
      more: false,
      append: false,
    });
    await page().locator('.search-hit').waitFor();
    await chat.send({ type: 'notice', text: HOSTILE.img });

    assert.strictEqual(await page().locator('.header-topic').textContent(), HOSTILE.script);
    assert.strictEqual(await message('e1').locator('.reaction-emoji').textContent(), HOSTILE.img);
    assert.match((await message('e1').locator('.reaction').getAttribute('title'))!, /<script>/);
    assert.match((await message('e1').locator('.thread-summary').getAttribute('aria-label'))!, /<\/style>/);
    assert.strictEqual(await page().locator('.seen-by').textContent(), `Seen by ${HOSTILE.img}`);
    assert.strictEqual(await pane().locator('.message[data-message-id="e3"] .message-text').textContent(), HOSTILE.img);
    assert.strictEqual(await page().locator('.search-hit-conversation').textContent(), HOSTILE.img);
    assert.strictEqual(await page().locator('.search-hit-author').textContent(), HOSTILE.img);
    assert.strictEqual(await page().locator('#notice').textContent(), HOSTILE.img);
    await page().waitForTimeout(200);
    assert.strictEqual(await chat.pwned(), undefined);
    assert.strictEqual(await page().locator('img, a, iframe, style').count(), 0);
    assert.strictEqual(await page().locator('script').count(), 1);
  });
});
