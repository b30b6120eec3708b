import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { bobView, CHANNELS, DEPLOYS_REPLIES, deploysView, init, MIN, NOON, ownMessage, peerMessage } from './fixtures';
import { DARK, LIGHT } from './themes';

/**
 * Urgent messages as the reader sees them (a calm "Urgent" mark that a screen reader hears too),
 * and the composer's Urgent toggle: reachable by keyboard, says whether it is on (aria-pressed),
 * sends the next message as urgent and then turns itself off.
 */
describe('chat webview: urgent (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));
  const page = () => chat.page;
  const input = () => page().locator('#composer-input');
  const toggle = () => page().locator('#composer .urgent-toggle');

  const urgentMessages = [
    peerMessage('u1', 'morning', NOON - 10 * MIN),
    { ...peerMessage('u2', '**Prod is down**, can you look?', NOON - 9 * MIN), urgent: true },
    { ...ownMessage('u3', 'on it', NOON - 8 * MIN, 'delivered'), urgent: true },
    { ...peerMessage('u4', '', NOON - 7 * MIN), urgent: true, deleted: true },
  ];

  for (const theme of [LIGHT, DARK]) {
    it(`marks an urgent message with an icon and "Urgent", and says so to a screen reader (${theme.name})`, async () => {
      await chat.setTheme(theme);
      await chat.send(init({ selected: bobView({ messages: urgentMessages }) }));
      const urgent = page().locator('.message[data-message-id="u2"]');
      await urgent.waitFor();
      assert.ok(await urgent.evaluate((el) => el.classList.contains('urgent')));
      const marker = urgent.locator('.urgent-marker');
      assert.strictEqual(await marker.textContent(), 'Urgent');
      assert.strictEqual(await marker.locator('.codicon-bell-dot').count(), 1);
      assert.strictEqual(await marker.getAttribute('aria-hidden'), 'true', 'read once, in the hidden prefix');
      assert.match((await urgent.locator('.visually-hidden').first().textContent())!, /^bob, .*, urgent: $/);
      assert.ok(await marker.isVisible());
      // The text still renders as markdown under the mark.
      assert.strictEqual(await urgent.locator('strong').textContent(), 'Prod is down');

      assert.strictEqual(await page().locator('.message[data-message-id="u3"] .urgent-marker').count(), 1, 'own urgent messages too');
      for (const id of ['u1', 'u4']) {
        const plain = page().locator(`.message[data-message-id="${id}"]`);
        assert.strictEqual(await plain.locator('.urgent-marker').count(), 0, `${id} has no mark`);
        assert.doesNotMatch((await plain.locator('.visually-hidden').first().textContent())!, /urgent/);
      }
      await chat.screenshot(`urgent-${theme.name}`);
    });
  }

  it('the Urgent toggle is keyboard reachable, sends the next message as urgent, then turns off', async () => {
    await chat.setTheme(DARK);
    await chat.send(init());
    await input().waitFor({ state: 'visible' });
    await chat.clearPosted();
    assert.strictEqual(await toggle().getAttribute('aria-label'), 'Send as urgent');
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'false');

    await input().click();
    await page().keyboard.type('prod is down');
    await page().keyboard.press('Tab');
    assert.ok(await toggle().evaluate((el) => el === el.ownerDocument.activeElement), 'Tab from the box reaches the toggle');
    await page().keyboard.press('Space');
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'true');
    assert.ok(
      await page()
        .locator('#composer')
        .evaluate((el) => el.classList.contains('urgent')),
    );
    await chat.screenshot('urgent-toggle-on');

    await input().focus();
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'send'), {
      type: 'send',
      conversationId: 'peer:bob',
      text: 'prod is down',
      urgent: true,
    });
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'false', 'off again after one message');
    assert.ok(
      !(await page()
        .locator('#composer')
        .evaluate((el) => el.classList.contains('urgent'))),
    );

    await chat.clearPosted();
    await page().keyboard.type('all fine now');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'send'), { type: 'send', conversationId: 'peer:bob', text: 'all fine now' });

    // Enter on the toggle flips it too; a click turns it back off.
    await toggle().focus();
    await page().keyboard.press('Enter');
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'true');
    await toggle().click();
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'false');
  });

  it('turns off when another conversation is shown, and is disabled where nothing can be sent', async () => {
    await chat.send(init());
    await input().waitFor({ state: 'visible' });
    await toggle().click();
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'true');
    await chat.send({ type: 'conversation', conversation: deploysView() });
    await page().locator('#conversation-header .header-title', { hasText: 'deploys' }).waitFor();
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'false', 'urgency does not follow to another conversation');
    assert.ok(!(await toggle().isDisabled()));

    await chat.send({ type: 'conversation', conversation: deploysView({ id: 'channel:old', title: '#old', archived: true }) });
    await page().locator('#conversation-header .header-tag', { hasText: 'archived' }).waitFor();
    assert.ok(await toggle().isDisabled());
  });

  it('the thread’s reply box has an Urgent toggle too: one urgent reply, then off', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    const parent = page().locator('#log .message[data-message-id="d2"]');
    await parent.waitFor();
    await parent.locator('.thread-summary').click();
    await chat.waitForPosted((m) => m.type === 'open-thread');
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: false });
    const threadToggle = page().locator('#thread-pane .urgent-toggle');
    assert.strictEqual(await threadToggle.getAttribute('aria-pressed'), 'false');
    await chat.clearPosted();
    await page().locator('#thread-input').fill('rolling back now');
    await threadToggle.click();
    assert.strictEqual(await threadToggle.getAttribute('aria-pressed'), 'true');
    assert.strictEqual(await toggle().getAttribute('aria-pressed'), 'false', 'the conversation’s toggle is its own');
    await page().locator('#thread-input').press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'reply'), {
      type: 'reply',
      conversationId: 'channel:deploys',
      parentId: 'd2',
      text: 'rolling back now',
      urgent: true,
    });
    assert.strictEqual(await threadToggle.getAttribute('aria-pressed'), 'false', 'off again after one reply');
  });
});
