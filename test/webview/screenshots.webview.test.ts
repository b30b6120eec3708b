import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, DEPLOYS_REPLIES, MIN, NOON, deploysView, init, peerMessage } from './fixtures';
import { DARK, HIGH_CONTRAST, LIGHT } from './themes';

/**
 * Screenshots of channels, threads, reactions, the toolbar, editing, deleting and search in
 * each theme (test/webview/artifacts/), to look at as a user would. Each also checks that the
 * state it shows is really there.
 */
describe('chat webview: screenshots of threads, reactions and search (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const message = (id: string) => page().locator(`#log .message[data-message-id="${id}"]`);
  const wide = { width: 1180, height: 640 };

  const showDeploysWithThread = async () => {
    await page().setViewportSize(wide);
    await chat.send(init({ conversations: CHANNELS, selected: deploysView({ firstUnreadId: 'd5' }) }));
    await message('d2').locator('.thread-summary').click();
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: false });
    await page().locator('#thread-pane .message[data-message-id="r2"]').waitFor();
  };

  for (const theme of [DARK, LIGHT, HIGH_CONTRAST]) {
    it(`a channel with a thread open, reactions and the toolbar (${theme.name})`, async () => {
      await showDeploysWithThread();
      await chat.setTheme(theme);
      await message('d5').hover();
      assert.ok(await message('d5').locator('.message-toolbar').isVisible());
      await chat.screenshot(`channel-thread-${theme.name}`);
    });
  }

  it('the search pane with results, and the message jumped to (dark)', async () => {
    await page().setViewportSize(wide);
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await chat.setTheme(DARK);
    await chat.send({ type: 'show-search', query: 'deploy from:bob' });
    await chat.send({
      type: 'search-results',
      query: 'deploy from:bob',
      hits: [
        {
          conversationId: 'channel:deploys',
          title: '#deploys',
          message: { ...peerMessage('d2', 'staging is green, going to prod at 12', NOON - 30 * MIN), seq: 102 },
        },
        {
          conversationId: 'channel:deploys',
          title: '#deploys',
          message: { ...peerMessage('d8', 'deploy window is 12-13, please keep to it', NOON - 26 * 60 * MIN), seq: 90 },
        },
        {
          conversationId: 'peer:bob',
          title: 'bob',
          message: { ...peerMessage('b1', 'can you deploy the relay fix after lunch? it touches the reconnect path', NOON - 3 * 24 * 60 * MIN), seq: 40 },
        },
      ],
      more: true,
      append: false,
    });
    await page().locator('.search-hit').nth(2).waitFor();
    await page().locator('.search-hit').first().click();
    await message('d2').locator('xpath=self::*[contains(@class, "highlight")]').waitFor();
    await chat.screenshot('search-dark');
  });

  it('editing inline, and the emoji picker (light)', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await chat.setTheme(LIGHT);
    await page().locator('#composer-input').click();
    await page().keyboard.press('ArrowUp');
    await page().locator('.inline-editor-input:focus').waitFor();
    await page().keyboard.type(' — and the error rate');
    await message('d5').hover();
    await message('d5').locator('.message-toolbar button[aria-label="Add reaction"]').click();
    await page().locator('.emoji-picker').waitFor();
    await chat.screenshot('edit-and-react-light');
  });

  it('asking before a delete (high contrast), and narrow with the thread open (dark)', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await chat.setTheme(HIGH_CONTRAST);
    await message('d6').hover();
    await message('d6').locator('button[aria-label="Delete message"]').click();
    await page().locator('#confirm-dialog').waitFor();
    await chat.screenshot('delete-confirm-high-contrast');
    await page().keyboard.press('Escape');

    await chat.setTheme(DARK);
    await message('d2').locator('.thread-summary').click();
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: false });
    await page().setViewportSize({ width: 640, height: 560 });
    await page().locator('#thread-pane .message[data-message-id="r2"]').waitFor();
    assert.ok(await page().locator('#conversation').isHidden(), 'narrow: the thread covers the conversation');
    await chat.screenshot('thread-narrow-dark');
  });
});
