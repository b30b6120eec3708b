import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { BOB_MESSAGES, CONVERSATIONS, HOSTILE, MIN, NOON, bobView, init, manyMessages, ownMessage, peerMessage, summary } from './fixtures';
import { DARK, HIGH_CONTRAST, LIGHT } from './themes';

/**
 * The chat webview in a real Chromium, with the real document (its CSP) and the built script
 * and styles. What the extension would send is sent as window messages; what the page posts
 * is recorded by a stand-in acquireVsCodeApi.
 */
describe('chat webview (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const rows = () => page().locator('#conversation-list [role="option"]');
  const input = () => page().locator('#composer-input');
  /** The row at the top of the message list and where the list's top is from that row's bottom. */
  const topRow = () =>
    page()
      .locator('#messages')
      .evaluate((scroller) => {
        const top = scroller.getBoundingClientRect().top;
        const row = [...scroller.querySelectorAll('.vrow')]
          .map((el) => ({ el, rect: el.getBoundingClientRect() }))
          .sort((a, b) => a.rect.top - b.rect.top)
          .find(({ rect }) => rect.bottom > top)!;
        return { key: (row.el as unknown as { dataset: { key: string } }).dataset.key, offset: Math.round(top - row.rect.bottom) };
      });

  it('says ready once, acquires the API once, and renders init: the list and the messages', async () => {
    const posted = await chat.posted();
    assert.deepStrictEqual(posted, [{ type: 'ready' }]);
    assert.strictEqual(await chat.acquireCalls(), 1);

    await chat.send(init());
    await page().locator('.message').first().waitFor();
    await chat.formatted();

    assert.strictEqual(await rows().count(), CONVERSATIONS.length);
    // Two groups: Channels (#general, shown as "general" beside a # icon) and Direct Messages.
    assert.deepStrictEqual(await page().locator('.section-title').allTextContents(), ['Channels', 'Direct Messages']);
    assert.deepStrictEqual(
      await page().locator('.row-title').allTextContents(),
      CONVERSATIONS.map((c) => c.title.replace(/^#/, '')),
    );
    const icons = await rows().evaluateAll((els) => els.map((el) => el.querySelector('.codicon')!.className));
    assert.deepStrictEqual(
      icons.map((c) => c.match(/codicon-(symbol-numeric|account|comment-discussion)/)?.[1]),
      ['symbol-numeric', 'account', 'account', 'comment-discussion', 'account'],
    );
    // Every codicon the page uses exists in the font's stylesheet (an unknown name draws nothing).
    const blank = await page()
      .locator('.codicon')
      .evaluateAll((els) =>
        els.filter((el) => ['none', 'normal', '""'].includes(el.ownerDocument.defaultView.getComputedStyle(el, '::before').content)).map((el) => el.className),
      );
    assert.deepStrictEqual(blank, []);
    const bob = rows().nth(1);
    assert.strictEqual(await bob.getAttribute('aria-selected'), 'true');
    assert.strictEqual(await rows().nth(0).getAttribute('aria-selected'), 'false');
    assert.strictEqual(await bob.locator('.badge').textContent(), '2');
    assert.strictEqual(await bob.locator('.online-dot').count(), 1);
    assert.strictEqual(await rows().nth(2).locator('.online-dot').count(), 0, 'carol is offline');
    assert.strictEqual(await bob.locator('.row-description').textContent(), 'can you look at the retry logic?');
    assert.match((await bob.getAttribute('aria-label'))!, /bob, online, 2 unread/);

    // Accessibility roles.
    assert.strictEqual(await page().locator('#conversation-list').getAttribute('role'), 'listbox');
    // The messages are a feed (rows come and go as they scroll); new ones are read out by a live region.
    assert.strictEqual(await page().locator('#log').getAttribute('role'), 'feed');
    assert.strictEqual(await page().locator('#announcer').getAttribute('aria-live'), 'polite');
    // In one look: the emoji picker alone holds some two thousand buttons (built once the set has loaded).
    const unlabelled = await page()
      .locator('button')
      .evaluateAll((buttons) => buttons.filter((b) => !b.getAttribute('aria-label')).map((b) => b.outerHTML));
    assert.deepStrictEqual(unlabelled, [], 'buttons without aria-label');

    // Header with the members in a tooltip.
    assert.strictEqual(await page().locator('.header-title').textContent(), 'bob');
    assert.strictEqual(await page().locator('.header-title').getAttribute('title'), 'bob');

    // Messages: every one rendered, grouped per sender within 5 minutes, one separator a day.
    assert.strictEqual(await page().locator('.message').count(), BOB_MESSAGES.length);
    assert.deepStrictEqual(await page().locator('.day-separator').allTextContents(), ['Yesterday', 'Today']);
    assert.deepStrictEqual(await page().locator('.group-header .sender').allTextContents(), ['bob', 'alice', 'bob', 'alice']);
    assert.deepStrictEqual(
      await page()
        .locator('.row.group-start .message')
        .evaluateAll((els) => els.map((el) => (el as unknown as { dataset: { messageId: string } }).dataset.messageId)),
      ['m1', 'm2', 'm3', 'm6'],
    );
    assert.strictEqual(await page().locator('.group-header .time').nth(2).textContent(), '11:48 AM');

    // Shared code: a code block with the location and an Open button.
    const code = page().locator('.code-block');
    assert.strictEqual(await code.locator('.code-location').textContent(), 'src/net/backoff.ts:42-45');
    assert.strictEqual(await code.locator('pre code').textContent(), BOB_MESSAGES[3]!.text);
    await chat.clearPosted();
    await code.locator('button.open-code').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'open-code'), { type: 'open-code', conversationId: 'peer:bob', messageId: 'm4' });
  });

  it('shows hostile text as literal text and runs none of it', async () => {
    const texts = Object.values(HOSTILE);
    const hostileConversation = summary('peer:mallory', HOSTILE.img, 'peer', { online: true, unread: 1, lastText: HOSTILE.script });
    await chat.send(
      init({
        conversations: [...CONVERSATIONS, hostileConversation],
        selected: {
          id: 'peer:mallory',
          title: HOSTILE.css,
          kind: 'group',
          memberNames: [HOSTILE.img, HOSTILE.js],
          hasOlder: false,
          cards: [],
          messages: [
            ...texts.map((text, i) => peerMessage(`h${i}`, text, NOON - 5 * MIN + i * 1000, 'mallory', HOSTILE.script)),
            { ...peerMessage('h-code', HOSTILE.script, NOON), code: { path: HOSTILE.img, startLine: 1, endLine: 1, language: HOSTILE.css } },
            ownMessage('local:h-own', HOSTILE.js, NOON, 'failed', { error: HOSTILE.img }),
          ],
        },
      }),
    );
    await page()
      .locator('.message')
      .nth(texts.length + 1)
      .waitFor();
    await chat.formatted();
    await chat.send({ type: 'typing', conversationId: 'peer:mallory', names: [HOSTILE.img] });
    await chat.send({ type: 'connection', connection: { state: 'reconnecting', text: HOSTILE.script } });
    await page().locator('#banner').waitFor();

    assert.deepStrictEqual(await page().locator('.message-text').allTextContents(), [...texts, HOSTILE.js]);
    assert.strictEqual(await page().locator('.code-block pre').textContent(), HOSTILE.script);
    assert.strictEqual(await page().locator('.code-location').textContent(), `${HOSTILE.img}:1`);
    assert.strictEqual(await page().locator('.header-title').textContent(), HOSTILE.css);
    assert.strictEqual(await rows().last().locator('.row-title').textContent(), HOSTILE.img);
    assert.strictEqual(await rows().last().locator('.row-description').textContent(), HOSTILE.script);
    assert.strictEqual(await page().locator('#typing').textContent(), `${HOSTILE.img} is typing…`);
    assert.strictEqual(await page().locator('.banner-text').textContent(), HOSTILE.script);
    assert.strictEqual(await page().locator('.delivery-icon.state-failed').getAttribute('title'), `Not sent: ${HOSTILE.img}`);

    // Nothing ran, nothing was parsed into elements, the page is still shown.
    await page().waitForTimeout(300);
    assert.strictEqual(await chat.pwned(), undefined);
    assert.strictEqual(await page().locator('img').count(), 0);
    assert.strictEqual(await page().locator('script').count(), 1);
    assert.strictEqual(await page().locator('style').count(), 0);
    assert.strictEqual(await page().locator('a').count(), 0);
    assert.ok(await page().locator('body').isVisible());
    assert.ok(await page().locator('.app').isVisible());
    assert.deepStrictEqual(await chat.violations(), [], 'our own code caused no CSP violation');
  });

  it('shows command: and other non-web links, icons and HTML as the characters they are (markdown formats the rest)', async () => {
    const link = 'Notes [here](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20pwned%5Cn%22%7D)';
    const texts = [
      link,
      '[ref][r]\n[r]: command:workbench.action.quit',
      '<command:workbench.action.quit> <https://evil.example> www.evil.example vscode://x file:///etc/passwd',
      '![img](javascript:window.__pwned=1) <a href="javascript:window.__pwned=1">a</a> $(zap)',
    ];
    await chat.send(
      init({
        conversations: [...CONVERSATIONS, summary('peer:mallory', '[mallory](command:x)', 'peer', { online: true, lastText: link })],
        selected: {
          id: 'peer:mallory',
          title: '[mallory](command:x)',
          kind: 'peer',
          memberNames: ['[mallory](command:x)'],
          hasOlder: false,
          cards: [],
          messages: texts.map((text, i) => peerMessage(`l${i}`, text, NOON - MIN + i * 1000, 'mallory', '[mallory](command:x)')),
        },
      }),
    );
    await page()
      .locator('.message')
      .nth(texts.length - 1)
      .waitFor();
    await chat.formatted();
    // Markdown is formatted (richText.webview.test.ts); a link it will not follow keeps its target as text.
    assert.deepStrictEqual(await page().locator('.message-text').allTextContents(), [
      'Notes here (command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20pwned%5Cn%22%7D)',
      '[ref][r][r]: command:workbench.action.quit',
      'command:workbench.action.quit https://evil.example www.evil.example vscode://x file:///etc/passwd',
      texts[3],
    ]);
    assert.strictEqual(await rows().last().locator('.row-description').textContent(), link);
    assert.strictEqual(
      await page().locator('body :is(a[href], img, iframe, [href], [src]:not(script))').count(),
      0,
      'no navigable link or image element exists',
    );
    assert.deepStrictEqual(
      await page()
        .locator('.md-link')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-href'))),
      ['https://evil.example'],
      'only the web address is a link (opened by the extension, after VS Code asks)',
    );
    await page().locator('.message-text').first().click();
    await page().waitForTimeout(200);
    assert.strictEqual(await chat.pwned(), undefined);
    assert.deepStrictEqual(
      (await chat.posted()).filter((m) => m.type !== 'ready' && m.type !== 'select'),
      [],
      'clicking the text posted nothing to the extension',
    );
    assert.deepStrictEqual(await chat.violations(), []);
  });

  it('Enter sends, Shift+Enter is a new line, blank text is not sent, IME Enter is not a send', async () => {
    await chat.send(init());
    await input().waitFor({ state: 'visible' });
    await chat.clearPosted();

    await input().click();
    await page().keyboard.type('first line');
    await page().keyboard.press('Shift+Enter');
    await page().keyboard.type('second line');
    assert.strictEqual(await input().inputValue(), 'first line\nsecond line');
    assert.strictEqual((await chat.posted()).filter((m) => m.type === 'send').length, 0);

    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'send'), {
      type: 'send',
      conversationId: 'peer:bob',
      text: 'first line\nsecond line',
    });
    assert.strictEqual(await input().inputValue(), '');

    // Whitespace only: nothing is sent.
    await page().keyboard.type('   ');
    await page().keyboard.press('Shift+Enter');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Enter');
    assert.strictEqual((await chat.posted()).filter((m) => m.type === 'send').length, 1);

    // Enter while an IME composes only ends the composition.
    await input().fill('こんにちは');
    const prevented = await input().evaluate((el) => {
      const event = new el.ownerDocument.defaultView.KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true });
      return !el.dispatchEvent(event);
    });
    assert.strictEqual(prevented, false);
    assert.strictEqual((await chat.posted()).filter((m) => m.type === 'send').length, 1);
    await page().keyboard.press('Enter');
    await chat.waitForPosted((m) => m.type === 'send' && m.text === 'こんにちは');
  });

  it('posts typing at most once every 2 seconds while typing', async () => {
    await chat.send(init());
    await input().click();
    await chat.clearPosted();
    const typing = async () => (await chat.posted()).filter((m) => m.type === 'typing');

    await page().keyboard.type('hello there', { delay: 40 });
    assert.deepStrictEqual(await typing(), [{ type: 'typing', conversationId: 'peer:bob' }]);
    await page().keyboard.type(' more', { delay: 40 });
    assert.strictEqual((await typing()).length, 1);
    await page().waitForTimeout(2_100);
    await page().keyboard.type('!');
    assert.strictEqual((await typing()).length, 2);
  });

  it('selects with a click and with the keyboard (Up/Down/Enter)', async () => {
    await chat.send(init());
    await rows().first().waitFor();
    await chat.clearPosted();

    await rows().nth(2).click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'select'), { type: 'select', conversationId: 'peer:carol' });
    assert.strictEqual(await rows().nth(2).getAttribute('aria-selected'), 'true');

    await chat.clearPosted();
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await page().locator('#conversation-list').getAttribute('aria-activedescendant'), await rows().nth(3).getAttribute('id'));
    await page().keyboard.press('ArrowUp');
    await page().keyboard.press('ArrowUp');
    await page().keyboard.press('ArrowUp');
    assert.deepStrictEqual(await chat.posted(), [], 'moving does not select');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'select'), { type: 'select', conversationId: 'all' });

    await chat.clearPosted();
    await page().locator('#new-group').click();
    await chat.waitForPosted((m) => m.type === 'new-group');
  });

  it('keeps the selection, drafts and scroll position across a reload', async () => {
    const messages = manyMessages(80);
    await chat.send(init({ selected: bobView({ messages }) }));
    await input().click();
    await page().keyboard.type('half-written reply');
    const scroller = page().locator('#messages');
    await scroller.evaluate((el) => {
      el.scrollTop = 300;
    });
    await page().waitForTimeout(100);
    // Kept as the row at the top and how far into it (pixels would not survive: heights are measured as rows render).
    const atTop = await topRow();
    assert.deepStrictEqual(await chat.state(), {
      v: 1,
      selectedId: 'peer:bob',
      drafts: [['peer:bob', 'half-written reply']],
      scroll: [['peer:bob', atTop]],
    });

    // The page is re-created; the extension lost its selection: the page asks for its own.
    await chat.reload();
    await chat.send(init({ selected: undefined }));
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'select'), { type: 'select', conversationId: 'peer:bob' });
    await chat.send({ type: 'conversation', conversation: bobView({ messages }) });
    await page().locator('.message').first().waitFor();
    assert.strictEqual(await input().inputValue(), 'half-written reply');
    assert.deepStrictEqual(await topRow(), atTop, 'the same row at the top, as far into it');
    assert.strictEqual(await rows().nth(1).getAttribute('aria-selected'), 'true');

    // Another conversation has its own (empty) draft; back to bob, the draft is there.
    await chat.send({
      type: 'conversation',
      conversation: { id: 'peer:carol', title: 'carol', kind: 'peer', memberNames: ['carol'], messages: [], hasOlder: false, cards: [] },
    });
    await page().locator('.header-title', { hasText: 'carol' }).waitFor();
    assert.strictEqual(await input().inputValue(), '');
    assert.match((await page().locator('#empty').textContent())!, /No messages yet/);
    await chat.send({ type: 'conversation', conversation: bobView({ messages }) });
    await page().locator('.header-title', { hasText: 'bob' }).waitFor();
    assert.strictEqual(await input().inputValue(), 'half-written reply');
  });

  it('shows the delivery state of own messages; Retry posts retry; an ack updates in place', async () => {
    await chat.send(init());
    await page().locator('.message').first().waitFor();
    const own = page().locator('.message.own');
    const iconOf = async (i: number) => (await own.nth(i).locator('.delivery-icon .codicon').getAttribute('class'))!.match(/codicon-([a-z-]+)$/)?.[1];
    assert.deepStrictEqual(await Promise.all([0, 1, 2, 3, 4].map(iconOf)), ['check-all', 'check-all', 'check', 'clock', 'error']);
    assert.strictEqual(await page().locator('.message:not(.own) .delivery').count(), 0, 'no state on others’ messages');
    const failed = own.nth(4);
    assert.strictEqual(await failed.locator('.delivery-icon').getAttribute('title'), 'Not sent: carol is not online');
    await chat.clearPosted();
    await failed.locator('button.retry').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'retry'), { type: 'retry', conversationId: 'peer:bob', messageId: 'local:r9' });

    // The relay acknowledges the pending one: new id, new state, same place, no duplicate.
    await chat.send({
      type: 'message',
      conversationId: 'peer:bob',
      message: ownMessage('srv-8', 'and a test for it', NOON - 2 * MIN + 150, 'delivered', { ref: 'r8' }),
    });
    await page().locator('.message[data-message-id="srv-8"]').waitFor();
    assert.strictEqual(await page().locator('.message').count(), BOB_MESSAGES.length);
    assert.strictEqual(await iconOf(3), 'check-all');
    assert.strictEqual(await page().locator('.message[data-message-id="local:r8"]').count(), 0);

    // A message for another conversation is not shown here.
    await chat.send({ type: 'message', conversationId: 'peer:carol', message: peerMessage('c1', 'not for this pane', NOON, 'carol', 'carol') });
    await page().waitForTimeout(100);
    assert.strictEqual(await page().locator('.message').count(), BOB_MESSAGES.length);
  });

  it('follows new messages only when at the bottom; near the top asks for older ones and keeps the place', async () => {
    const messages = manyMessages(200);
    await chat.send(init({ selected: bobView({ messages, hasOlder: true }) }));
    const scroller = page().locator('#messages');
    const atBottom = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
    await page().locator('.message').first().waitFor();
    assert.ok(await atBottom(), 'starts at the newest message');
    assert.ok(!(await chat.posted()).some((m) => m.type === 'load-older'), 'nothing asked while far from the top');

    await chat.send({ type: 'message', conversationId: 'peer:bob', message: peerMessage('n1', 'new one', NOON + 9 * 60 * MIN) });
    await page().locator('.message[data-message-id="n1"]').waitFor();
    assert.ok(await atBottom(), 'followed the new message');

    await scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await page().waitForTimeout(100);
    const before = await topRow();
    await chat.send({ type: 'message', conversationId: 'peer:bob', message: peerMessage('n2', 'another', NOON + 9 * 60 * MIN + 1000) });
    // Not rendered (far below the window), but read out.
    await page().locator('#announcer', { hasText: 'bob: another' }).waitFor({ state: 'attached' });
    assert.strictEqual(await page().locator('.message[data-message-id="n2"]').count(), 0);
    assert.deepStrictEqual(await topRow(), before, 'stayed where the reader was');
    assert.ok(await page().locator('#jump-latest').isVisible(), '"Latest" offered while far from the end');

    // Near the top: the oldest held message is where older ones go before.
    await chat.clearPosted();
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'load-older'), { type: 'load-older', conversationId: 'peer:bob', beforeId: 's0' });
    await page().locator('#history-status', { hasText: 'Loading older messages' }).waitFor();
    assert.strictEqual(await page().locator('#log').getAttribute('aria-busy'), 'true');
    // The older messages arrive: what was on screen stays on screen.
    const firstTop = () =>
      page()
        .locator('.message[data-message-id="s0"]')
        .evaluate((el) => el.getBoundingClientRect().top);
    const top = await firstTop();
    const older = manyMessages(20, NOON - 10 * 60 * MIN).map((m) => ({ ...m, id: `o${m.id}` }));
    await chat.send({ type: 'older', conversationId: 'peer:bob', messages: older, hasOlder: false });
    await page().locator('#history-status').waitFor({ state: 'hidden' });
    assert.ok(Math.abs((await firstTop()) - top) < 2, 'anchored');
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    await page().locator('.message[data-message-id="os0"]').waitFor();
    assert.strictEqual((await chat.posted()).filter((m) => m.type === 'load-older').length, 1, 'no more asked: the relay has no older ones');

    // Latest scrolls back down.
    await page().locator('#jump-latest').click();
    await page().waitForTimeout(50);
    assert.ok(await atBottom());
    await page().locator('#jump-latest').waitFor({ state: 'hidden' });
  });

  it('says when older messages could not be loaded, and Retry asks again', async () => {
    await chat.send(init({ selected: bobView({ messages: [], hasOlder: true }) }));
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'load-older'), { type: 'load-older', conversationId: 'peer:bob' });
    await chat.clearPosted();
    await chat.send({ type: 'load-failed', conversationId: 'peer:bob', what: 'older', error: 'not connected' });
    const status = page().locator('#history-status');
    await status.locator('text=Could not load older messages: not connected.').waitFor();
    await status.locator('button', { hasText: 'Retry' }).click();
    await chat.waitForPosted((m) => m.type === 'load-older');
    await chat.send({ type: 'older', conversationId: 'peer:bob', messages: BOB_MESSAGES, hasOlder: false });
    await page().locator('.message[data-message-id="m1"]').waitFor();
    assert.ok(await status.isHidden());
  });

  it('shows who is typing, and hides it after about 4 seconds without news', async () => {
    await chat.send(init());
    const typing = page().locator('#typing');
    await chat.send({ type: 'typing', conversationId: 'peer:bob', names: ['bob'] });
    await page().locator('#typing.visible').waitFor();
    assert.strictEqual(await typing.textContent(), 'bob is typing…');
    await chat.send({ type: 'typing', conversationId: 'peer:carol', names: ['carol'] });
    assert.strictEqual(await typing.textContent(), 'bob is typing…', 'only the shown conversation');
    await page().waitForTimeout(3_000);
    assert.ok(await typing.evaluate((el) => el.classList.contains('visible')));
    await page().locator('#typing.visible').waitFor({ state: 'detached', timeout: 2_500 });
    assert.strictEqual(await typing.textContent(), '');
  });

  it('shows a connection banner while not connected', async () => {
    await chat.send(init({ connection: { state: 'disconnected', text: 'Not connected: the relay at chat.example:9999 refused the connection' } }));
    const banner = page().locator('#banner');
    await banner.waitFor();
    assert.match((await banner.textContent())!, /refused the connection/);
    await chat.send({ type: 'connection', connection: { state: 'reconnecting', text: 'Reconnecting in 4 s…' } });
    assert.strictEqual(await banner.textContent(), 'Reconnecting in 4 s…');
    assert.ok(await banner.locator('.codicon-sync').isVisible());
    await chat.send({ type: 'connection', connection: { state: 'connected', text: 'Connected' } });
    await banner.waitFor({ state: 'hidden' });
  });

  it('focus-composer moves the focus to the message box', async () => {
    await chat.send(init());
    await rows().first().click();
    await chat.send({ type: 'focus-composer' });
    await page().locator('#composer-input:focus').waitFor();
  });

  describe('screenshots (test/webview/artifacts/)', () => {
    for (const theme of [DARK, LIGHT, HIGH_CONTRAST]) {
      it(`in a ${theme.name} theme`, async () => {
        await chat.send(init({ connection: { state: 'reconnecting', text: 'Reconnecting to chat.example:9999 in 2 s…' } }));
        await chat.setTheme(theme);
        await chat.send({ type: 'typing', conversationId: 'peer:bob', names: ['bob'] });
        await input().click();
        await page().keyboard.type('I will have a look after lunch');
        await rows().nth(3).hover();
        await page().locator('.message').first().waitFor();
        await chat.screenshot(`chat-${theme.name}`);
        // The narrow layout: the list collapses to icons.
        await page().setViewportSize({ width: 420, height: 560 });
        await chat.screenshot(`chat-${theme.name}-narrow`);
      });
    }

    it('with nothing selected yet (dark)', async () => {
      await chat.send(init({ selected: undefined }));
      await chat.setTheme(DARK);
      await page().locator('#conversation-list').focus();
      await page().keyboard.press('ArrowDown');
      await chat.screenshot('chat-dark-empty');
    });
  });
});
