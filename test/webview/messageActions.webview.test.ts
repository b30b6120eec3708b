import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { BOB_MESSAGES, CHANNELS, DEPLOYS_MESSAGES, DEPLOYS_REPLIES, MIN, NOON, bobView, deploysView, init, ownMessage, peerMessage } from './fixtures';

/**
 * Channels and direct messages in the list, a channel's header, and what can be done to a
 * message: the hover/focus toolbar (reply in thread, react, copy link, edit, delete), reactions, the Up
 * arrow edit, tombstones, "(edited)", the "New messages" divider and "Seen by". In a real
 * Chromium with the real document and script, as chat.webview.test.ts.
 */
describe('chat webview: channels and message actions (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const rows = () => page().locator('#conversation-list [role="option"]');
  const message = (id: string) => page().locator(`.message[data-message-id="${id}"]`);
  const input = () => page().locator('#composer-input');
  const posted = async (type: string) => (await chat.posted()).filter((m) => m.type === type);
  const showDeploys = async (extra: Parameters<typeof deploysView>[0] = {}) => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView(extra) }));
    await message('d6').waitFor();
    await chat.clearPosted();
  };
  const visibility = (id: string) =>
    message(id)
      .locator('.message-toolbar')
      .evaluate((el) => el.ownerDocument.defaultView.getComputedStyle(el).visibility as string);

  it('groups Channels (#general first) and Direct Messages, with unread and mention badges; a channel header shows its topic and members', async () => {
    await showDeploys();
    assert.deepStrictEqual(await page().locator('.section-title').allTextContents(), ['Channels', 'Direct Messages']);
    const groups = page().locator('.conversation-section');
    assert.deepStrictEqual(await groups.nth(0).locator('.row-title').allTextContents(), ['general', 'deploys', 'secret']);
    assert.deepStrictEqual(await groups.nth(1).locator('.row-title').allTextContents(), ['bob', 'bob, carol']);
    assert.strictEqual(await groups.nth(0).getAttribute('role'), 'group');
    const deploys = rows().nth(1);
    assert.strictEqual(await deploys.getAttribute('aria-selected'), 'true');
    assert.deepStrictEqual(await deploys.locator('.badge').allTextContents(), ['@1', '3']);
    assert.match((await deploys.getAttribute('aria-label'))!, /^channel deploys, 3 unread, 1 mention, bob: prod rollout started$/);
    assert.ok(await rows().nth(2).locator('.codicon-lock').isVisible(), 'a private channel has a lock');
    assert.match((await rows().nth(2).getAttribute('aria-label'))!, /^private channel secret/);
    assert.strictEqual(await rows().nth(0).locator('.online-dot').count(), 0, 'channels have no online dot');

    // Keyboard: Down walks from the channels into the direct messages.
    await page().locator('#conversation-list').focus();
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'select'), { type: 'select', conversationId: 'peer:bob' });

    const header = page().locator('#conversation-header');
    assert.strictEqual(await header.locator('.header-title').textContent(), 'deploys');
    assert.ok(await header.locator('.codicon-symbol-numeric').isVisible());
    assert.strictEqual(await header.locator('.header-topic').textContent(), 'Releases and rollbacks — ask here before deploying');
    assert.strictEqual(await header.locator('.header-count').textContent(), '4');
    assert.strictEqual(await header.locator('.header-count').getAttribute('aria-label'), '4 members');
    assert.strictEqual(await header.locator('.header-count').getAttribute('title'), 'alice, bob, carol, dave');
    assert.strictEqual(await input().getAttribute('placeholder'), 'Message #deploys');

    // An archived channel can be read, not written.
    await chat.send({ type: 'conversation', conversation: deploysView({ id: 'channel:old', title: '#old', archived: true }) });
    await header.locator('.header-tag', { hasText: 'archived' }).waitFor();
    assert.ok(await input().isDisabled());
    assert.match((await input().getAttribute('placeholder'))!, /archived/);
  });

  it('shows (edited), the tombstone and a thread’s reply count; the count opens the thread', async () => {
    await showDeploys();
    const edited = message('d3').locator('.edited');
    assert.strictEqual(await edited.textContent(), ' (edited)');
    assert.match((await edited.getAttribute('title'))!, /^Edited /);
    assert.strictEqual(await message('d4').locator('.message-text').textContent(), 'This message was deleted.');
    assert.strictEqual(await message('d4').locator('.message-toolbar, .reactions, button').count(), 0, 'nothing to do with a deleted message');
    assert.strictEqual(await message('d2').locator('.edited').count(), 0);

    const summary = message('d2').locator('.thread-summary');
    assert.strictEqual(await summary.locator('.thread-count').textContent(), '2 replies');
    assert.strictEqual(await summary.locator('.thread-last').textContent(), 'Last reply at 11:40 AM');
    assert.strictEqual(await summary.getAttribute('aria-label'), '2 replies from carol, alice. Last reply at 11:40 AM. Open thread');
    await summary.click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'open-thread'), {
      type: 'open-thread',
      conversationId: 'channel:deploys',
      messageId: 'd2',
    });
  });

  it('shows reactions with counts and who reacted; a click toggles the user’s own (posted, shown at once)', async () => {
    await showDeploys();
    const chips = message('d2').locator('.reaction');
    assert.deepStrictEqual(await chips.allTextContents(), ['👍2', '🎉1']);
    assert.strictEqual(await chips.nth(0).getAttribute('aria-pressed'), 'false');
    assert.strictEqual(await chips.nth(1).getAttribute('aria-pressed'), 'true');
    assert.strictEqual(await chips.nth(0).getAttribute('title'), 'carol and dave reacted with 👍');
    assert.strictEqual(await chips.nth(0).getAttribute('aria-label'), '👍 2: carol and dave. React with 👍');
    assert.strictEqual(await chips.nth(1).getAttribute('aria-label'), '🎉 1: you. Remove your reaction');

    await chips.nth(0).click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'react'), {
      type: 'react',
      conversationId: 'channel:deploys',
      messageId: 'd2',
      emoji: '👍',
      on: true,
    });
    await message('d2').locator('.reaction[aria-pressed="true"]', { hasText: '👍3' }).waitFor();
    assert.strictEqual(await message('d2').locator('.reaction').first().getAttribute('title'), 'carol, dave and alice reacted with 👍');

    await chat.clearPosted();
    await message('d2').locator('.reaction', { hasText: '🎉' }).click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'react'), {
      type: 'react',
      conversationId: 'channel:deploys',
      messageId: 'd2',
      emoji: '🎉',
      on: false,
    });
    await message('d2').locator('.reaction', { hasText: '🎉' }).waitFor({ state: 'detached' });

    // The relay's word is the last: an update replaces what was shown early.
    await chat.send({
      type: 'updated',
      conversationId: 'channel:deploys',
      message: { ...DEPLOYS_MESSAGES[1]!, reactions: [{ emoji: '🚀', count: 12, names: ['bob', 'carol'], mine: false }] },
    });
    await message('d2').locator('.reaction', { hasText: '🚀12' }).waitFor();
    assert.strictEqual(await message('d2').locator('.reaction').count(), 1);
    assert.strictEqual(await message('d2').locator('.reaction').getAttribute('title'), 'bob, carol and 10 others reacted with 🚀');
    // An update for a message not held adds nothing.
    await chat.send({ type: 'updated', conversationId: 'channel:deploys', message: peerMessage('zz', 'not held', NOON) });
    await page().waitForTimeout(100);
    assert.strictEqual(await message('zz').count(), 0);
  });

  it('the toolbar shows on hover and on focus: Reply, React and Copy Link for anyone’s, Edit and Delete only for the user’s own', async () => {
    await showDeploys();
    const labels = (id: string) =>
      message(id)
        .locator('.message-toolbar button')
        .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') as string));
    assert.deepStrictEqual(await labels('d5'), ['Add reaction', 'Reply in thread', 'Copy link to message']);
    assert.deepStrictEqual(await labels('d6'), ['Add reaction', 'Reply in thread', 'Copy link to message', 'Edit message', 'Delete message']);
    assert.strictEqual(await message('d5').locator('.message-toolbar').getAttribute('role'), 'toolbar');
    assert.strictEqual(await visibility('d5'), 'hidden');
    await message('d5').hover();
    assert.strictEqual(await visibility('d5'), 'visible');

    // By keyboard: the newest message is the list's one Tab stop (its toolbar stays hidden, so
    // out of the way, until the message has the focus); Up moves; Tab enters its toolbar.
    await input().focus();
    await page().keyboard.press('Shift+Tab');
    await page().locator('.message[data-message-id="d6"]:focus').waitFor();
    await page().keyboard.press('ArrowUp');
    await page().locator('.message[data-message-id="d5"]:focus').waitFor();
    await page().mouse.move(0, 0);
    assert.strictEqual(await visibility('d5'), 'visible', 'shown while the message has the focus');
    await page().keyboard.press('Tab');
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'Add reaction');
    await page().keyboard.press('Tab');
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'Reply in thread');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'open-thread'), {
      type: 'open-thread',
      conversationId: 'channel:deploys',
      messageId: 'd5',
    });
    assert.ok(await page().locator('#thread-pane').isVisible());
  });

  it('Copy Link posts the message to link to (a reply with its thread), by mouse and by keyboard', async () => {
    await showDeploys();
    // By keyboard: the newest message, then Tab to its third button.
    await input().focus();
    await page().keyboard.press('Shift+Tab');
    await page().locator('.message[data-message-id="d6"]:focus').waitFor();
    for (let i = 0; i < 3; i++) await page().keyboard.press('Tab');
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'Copy link to message');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'copy-link'), {
      type: 'copy-link',
      conversationId: 'channel:deploys',
      messageId: 'd6',
    });

    await chat.clearPosted();
    await message('d5').hover();
    const copy = message('d5').locator('.message-toolbar button[aria-label="Copy link to message"]');
    assert.strictEqual(await copy.getAttribute('title'), 'Copy link');
    assert.ok(await copy.locator('.codicon-link').isVisible());
    await copy.click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'copy-link'), {
      type: 'copy-link',
      conversationId: 'channel:deploys',
      messageId: 'd5',
    });

    // In the thread pane a reply's link names its thread; pending and deleted messages have none.
    await message('d2').locator('.thread-summary').click();
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: false });
    const reply = page().locator('#thread-pane .message[data-message-id="r1"]');
    await reply.waitFor();
    await chat.clearPosted();
    await reply.hover();
    await reply.locator('button[aria-label="Copy link to message"]').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'copy-link'), {
      type: 'copy-link',
      conversationId: 'channel:deploys',
      messageId: 'r1',
      threadId: 'd2',
    });
    assert.strictEqual(await message('d4').locator('button[aria-label="Copy link to message"]').count(), 0, 'a deleted message');
    await chat.send({ type: 'message', conversationId: 'channel:deploys', message: ownMessage('local:1', 'on its way', NOON + MIN, 'pending') });
    await message('local:1').waitFor();
    assert.strictEqual(await message('local:1').locator('button[aria-label="Copy link to message"]').count(), 0, 'a pending message');
  });

  it('Add reaction opens a small emoji picker: arrows move, Enter picks, Escape closes, the focus comes back', async () => {
    await showDeploys();
    await message('d5').hover();
    const add = message('d5').locator('.message-toolbar button[aria-label="Add reaction"]');
    await add.click();
    const picker = page().locator('.emoji-picker');
    await picker.waitFor();
    assert.strictEqual(await picker.getAttribute('role'), 'dialog');
    assert.strictEqual(await picker.locator('.emoji-grid').first().locator('button').count(), 10);
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'React with thumbs up 👍');
    await page().keyboard.press('Escape');
    await picker.waitFor({ state: 'hidden' });
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'Add reaction');
    assert.strictEqual((await posted('react')).length, 0);

    await page().keyboard.press('Enter');
    await picker.waitFor();
    await page().keyboard.press('ArrowRight');
    assert.strictEqual(await page().locator(':focus').getAttribute('aria-label'), 'React with heart ❤️');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'react'), {
      type: 'react',
      conversationId: 'channel:deploys',
      messageId: 'd5',
      emoji: '❤️',
      on: true,
    });
    await picker.waitFor({ state: 'hidden' });
    await message('d5').locator('.reaction[aria-pressed="true"]', { hasText: '❤️1' }).waitFor();

    // A click outside closes it too.
    await message('d5').hover();
    await message('d5').locator('.message-toolbar button[aria-label="Add reaction"]').click();
    await picker.waitFor();
    // Its left end: the full picker opens over the header's middle.
    await page()
      .locator('#conversation-header')
      .click({ position: { x: 5, y: 5 } });
    await picker.waitFor({ state: 'hidden' });
  });

  it('Delete asks first (Escape or Cancel keeps the message); Delete posts and leaves a tombstone', async () => {
    await showDeploys();
    const dialog = page().locator('#confirm-dialog');
    await message('d6').hover();
    await message('d6').locator('button[aria-label="Delete message"]').click();
    await dialog.waitFor();
    assert.strictEqual(await page().locator('#confirm-title').textContent(), 'Delete message?');
    assert.strictEqual(await page().locator(':focus').textContent(), 'Cancel', 'Cancel has the focus: Enter alone deletes nothing');
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.strictEqual((await posted('delete')).length, 0);
    assert.strictEqual(await message('d6').locator('.message-text').textContent(), 'all dashboards look fine');

    await message('d6').hover();
    await message('d6').locator('button[aria-label="Delete message"]').click();
    await dialog.waitFor();
    await page().locator('#confirm-ok').click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'delete'), { type: 'delete', conversationId: 'channel:deploys', messageId: 'd6' });
    await message('d6').locator('.tombstone').waitFor();
    assert.strictEqual(await message('d6').locator('.message-toolbar').count(), 0);
  });

  it('Up in the empty composer edits the user’s last message inline: Escape cancels, Enter saves', async () => {
    await showDeploys();
    await input().click();
    await page().keyboard.press('ArrowUp');
    const editor = message('d6').locator('.inline-editor-input');
    await page().locator('.inline-editor-input:focus').waitFor();
    assert.strictEqual(await editor.inputValue(), 'all dashboards look fine');
    assert.strictEqual(await editor.getAttribute('aria-label'), 'Edit message');
    await page().keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await page().locator('#composer-input:focus').waitFor();
    assert.strictEqual(await message('d6').locator('.message-text').textContent(), 'all dashboards look fine');
    assert.strictEqual((await posted('edit')).length, 0);
    assert.ok(await page().locator('#side-pane').isHidden(), 'Escape in the editor closed only the editor');

    await page().keyboard.press('ArrowUp');
    await page().locator('.inline-editor-input:focus').waitFor();
    await page().keyboard.type(', all green');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'edit'), {
      type: 'edit',
      conversationId: 'channel:deploys',
      messageId: 'd6',
      text: 'all dashboards look fine, all green',
    });
    await page().locator('#composer-input:focus').waitFor();
    assert.strictEqual(await message('d6').locator('.message-text').textContent(), 'all dashboards look fine, all green (edited)');

    // Text in the box: Up is a caret move, not an edit. The Edit button does the same as Up.
    await chat.clearPosted();
    await page().keyboard.type('draft');
    await page().keyboard.press('ArrowUp');
    assert.strictEqual(await page().locator('.inline-editor').count(), 0);
    await message('d3').hover();
    await message('d3').locator('button[aria-label="Edit message"]').click();
    await page().locator('.inline-editor-input:focus').waitFor();
    await page().locator('.inline-editor button', { hasText: 'Cancel' }).click();
    await page().locator('.inline-editor').waitFor({ state: 'detached' });
    assert.strictEqual(await input().inputValue(), 'draft', 'the draft is untouched');
  });

  it('with no message of the user’s own, Up does nothing', async () => {
    await chat.send(init({ selected: bobView({ messages: BOB_MESSAGES.filter((m) => !m.own) }) }));
    await message('m1').waitFor();
    await input().click();
    await page().keyboard.press('ArrowUp');
    assert.strictEqual(await page().locator('.inline-editor').count(), 0);
    await page().locator('#composer-input:focus').waitFor();
  });

  it('puts "New messages" above the first unread message, and "Seen by" under the user’s last one', async () => {
    await showDeploys({ firstUnreadId: 'd5' });
    const divider = page().locator('.unread-divider');
    assert.strictEqual(await divider.count(), 1);
    assert.strictEqual(await divider.getAttribute('role'), 'separator');
    assert.strictEqual(await divider.textContent(), 'New messages');
    assert.strictEqual(await divider.evaluate((el) => el.parentElement.querySelector('.message').dataset.messageId as string), 'd5');
    // The divider starts a new group: the sender is named again.
    assert.strictEqual(await divider.evaluate((el) => el.parentElement.classList.contains('group-start') as boolean), true);

    await chat.send({ type: 'conversation', conversation: bobView({ seen: { messageId: 'm7', names: ['bob'] } }) });
    const seen = page().locator('.seen-by');
    await seen.waitFor();
    assert.strictEqual(await seen.textContent(), 'Seen by bob');
    assert.strictEqual(await seen.evaluate((el) => el.parentElement.querySelector('.message').dataset.messageId as string), 'm7');
    await chat.send({ type: 'message', conversationId: 'peer:bob', message: ownMessage('m10', 'one more', NOON + MIN, 'delivered') });
    await chat.send({ type: 'seen', conversationId: 'peer:bob', seen: { messageId: 'm10', names: ['bob', 'carol'] } });
    await page().locator('.seen-by', { hasText: 'Seen by bob, carol' }).waitFor();
    assert.strictEqual(await seen.count(), 1, 'only under the last one');
    await chat.send({ type: 'seen', conversationId: 'peer:bob', seen: undefined });
    await seen.waitFor({ state: 'detached' });
  });

  it('names a sender again for a new message from someone else and after five minutes', async () => {
    await chat.send(
      init({
        selected: bobView({
          messages: [
            peerMessage('a1', 'one', NOON - 20 * MIN),
            peerMessage('a2', 'two', NOON - 19 * MIN),
            peerMessage('a3', 'three, later', NOON - 10 * MIN),
            ownMessage('a4', 'mine', NOON - 9 * MIN, 'delivered'),
          ],
        }),
      }),
    );
    await message('a4').waitFor();
    assert.deepStrictEqual(await page().locator('.group-header .sender').allTextContents(), ['bob', 'bob', 'alice']);
  });
});
