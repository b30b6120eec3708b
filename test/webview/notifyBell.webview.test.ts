import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, deploysView, init } from './fixtures';

/**
 * The conversation header's bell: it shows how the conversation notifies (All Messages, Mentions
 * Only, Muted), by icon and by its accessible name, and asks the extension for the choice.
 */
describe('chat webview: the notifications bell in the header (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const bell = () => chat.page.locator('#conversation-header button[aria-label^="Notifications:"]');

  it('shows the level and posts notification-settings for the conversation on click and on the keyboard', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView({ notify: 'mentions' }) }));
    await bell().waitFor();
    assert.strictEqual(await bell().getAttribute('aria-label'), 'Notifications: Mentions Only');
    assert.ok(await bell().locator('.codicon-mention').isVisible());
    await chat.clearPosted();
    await bell().click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'notification-settings'), {
      type: 'notification-settings',
      conversationId: deploysView().id,
    });

    await chat.send({ type: 'conversation', conversation: deploysView({ notify: 'muted' }) });
    await chat.page.locator('#conversation-header button[aria-label="Notifications: Muted"] .codicon-bell-slash').waitFor();
    await chat.clearPosted();
    await bell().focus();
    await chat.page.keyboard.press('Enter');
    assert.strictEqual((await chat.waitForPosted((m) => m.type === 'notification-settings')).type, 'notification-settings');

    // Without a level from the extension: the plain bell.
    await chat.send({ type: 'conversation', conversation: deploysView() });
    await chat.page.locator('#conversation-header button[aria-label="Notifications: All Messages"] .codicon-bell').waitFor();
  });
});
