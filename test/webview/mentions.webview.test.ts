import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, DEPLOYS_MESSAGES, deploysView, init, NOON, peerMessage } from './fixtures';
import { DARK } from './themes';

/**
 * Mentions as the reader sees them: a message that mentions the user is marked (and says so to a
 * screen reader), its mentions are highlighted, `:shortcodes:` show as emoji; the Mentions button
 * opens the search pane on the relay's `is:mention` and lists what the relay answers.
 */
describe('chat webview: mentions (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));
  const page = () => chat.page;

  const mentioning = {
    ...peerMessage('mx1', '@alice can you ship it? :rocket: cc @Bob Smith', NOON - 1),
    mentions: [
      { text: '@alice', self: true },
      { text: '@Bob Smith', self: false },
    ],
    mentionsSelf: true,
  };
  const other = { ...peerMessage('mx2', '@Bob Smith thanks', NOON), mentions: [{ text: '@Bob Smith', self: false }] };

  it('marks a message that mentions the user, highlights its mentions and shows :shortcodes: as emoji', async () => {
    await chat.setTheme(DARK);
    await chat.send(init({ conversations: CHANNELS, selected: deploysView({ messages: [...DEPLOYS_MESSAGES, mentioning, other] }) }));
    const mine = page().locator('.message[data-message-id="mx1"]');
    await mine.waitFor();
    await chat.formatted();
    assert.ok(await mine.evaluate((el) => el.classList.contains('mentions-self')));
    assert.match((await mine.locator('.visually-hidden').first().textContent())!, /^bob, .*, mentions you: $/);
    assert.deepStrictEqual(await mine.locator('.mention').allTextContents(), ['@alice', '@Bob Smith']);
    assert.deepStrictEqual(await mine.locator('.mention-self').allTextContents(), ['@alice']);
    assert.match((await mine.locator('.message-text, .message-body').first().textContent())!, /ship it\? 🚀 cc/);
    const notMine = page().locator('.message[data-message-id="mx2"]');
    assert.ok(!(await notMine.evaluate((el) => el.classList.contains('mentions-self'))));
    assert.deepStrictEqual(await notMine.locator('.mention').allTextContents(), ['@Bob Smith']);
    await chat.screenshot('mentions-dark');
  });

  it('the Mentions button searches for is:mention and lists the hits', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await page().locator('#conversation-header .header-title').waitFor();
    await chat.clearPosted();
    const button = page().locator('#open-mentions');
    assert.strictEqual(await button.getAttribute('aria-label'), 'Mentions');
    await button.click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'search'), { type: 'search', query: 'is:mention' });
    assert.strictEqual(await page().locator('#search-input').inputValue(), 'is:mention');
    await chat.send({
      type: 'search-results',
      query: 'is:mention',
      hits: [{ conversationId: 'channel:deploys', title: '#deploys', message: mentioning }],
      more: false,
      append: false,
    });
    await page().locator('#search-results li').first().waitFor();
    assert.match((await page().locator('#search-results').textContent())!, /can you ship it/);
  });

  it('highlights a mention typed in another case, but not a #Word that is no channel name', async () => {
    const shouting = { ...peerMessage('mx3', '@ALICE look at #Deploys and #deploys', NOON), mentions: [{ text: '@alice', self: true }], mentionsSelf: true };
    await chat.send(init({ conversations: CHANNELS, selected: deploysView({ messages: [...DEPLOYS_MESSAGES, shouting] }) }));
    const row = page().locator('.message[data-message-id="mx3"]');
    await row.waitFor();
    await chat.formatted();
    assert.deepStrictEqual(await row.locator('.mention-self').allTextContents(), ['@ALICE']);
    assert.deepStrictEqual(await row.locator('.md-channel').allTextContents(), ['#deploys']);
  });

  it('shows a search hit and says a new message as plain text, not as markdown', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await page().locator('.message').first().waitFor();
    await chat.formatted();
    const markdown = '**Ship** it: see [the notes](https://notes.example) and `make deploy`';
    const plain = 'Ship it: see the notes (https://notes.example) and make deploy';
    await chat.send({ type: 'message', conversationId: 'channel:deploys', message: peerMessage('mx4', markdown, NOON + 1) });
    await page()
      .locator('#announcer', { hasText: `bob: ${plain}` })
      .waitFor({ state: 'attached' });
    await page().locator('#open-mentions').click();
    await chat.send({
      type: 'search-results',
      query: 'is:mention',
      hits: [{ conversationId: 'channel:deploys', title: '#deploys', message: peerMessage('mx5', markdown, NOON + 2) }],
      more: false,
      append: false,
    });
    assert.strictEqual(await page().locator('#search-results .search-hit-text').textContent(), plain);
  });
});
