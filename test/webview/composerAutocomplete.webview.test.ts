import * as assert from 'assert';
import type { DirectoryView } from '../../src/views/chatProtocol';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, DEPLOYS_MESSAGES, deploysView, init } from './fixtures';
import { DARK, LIGHT } from './themes';

const BOB = 'B'.repeat(22);
const BOB_SMITH = 'b'.repeat(22);
const CAROL = 'C'.repeat(22);
const DIRECTORY: DirectoryView = {
  people: [
    { id: BOB, name: 'bob', online: true },
    { id: BOB_SMITH, name: 'Bob Smith', online: false },
    { id: CAROL, name: 'carol', online: true },
  ],
  channels: ['deploys', 'design', 'general'],
};

/**
 * The composer's autocomplete in a real Chromium with the real document and script: `@` people
 * and rooms, `#` channels, `:shortcode:` emoji; keyboard (Up/Down/Enter/Tab/Escape) and mouse;
 * the listbox roles and aria-activedescendant; and the mentions a sent message carries.
 */
describe('chat webview: composer autocomplete (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const input = () => page().locator('#composer-input');
  const list = () => page().locator('.autocomplete').first();
  const options = () => list().locator('[role="option"]');
  const open = async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    await page().locator(`.message[data-message-id="${DEPLOYS_MESSAGES[0]!.id}"]`).waitFor();
    await chat.send({ type: 'directory', directory: DIRECTORY });
    await input().focus();
    await chat.clearPosted();
  };
  const selected = async () => {
    const id = await input().getAttribute('aria-activedescendant');
    return id === null ? null : page().locator(`[id="${id}"]`).textContent();
  };

  it('suggests people after @, online first; arrows move, Enter takes one as @Name; the message says whom it mentions', async () => {
    await open();
    await page().keyboard.type('ping @bo');
    await list().waitFor();
    assert.strictEqual(await list().getAttribute('role'), 'listbox');
    assert.strictEqual(await input().getAttribute('aria-controls'), await list().getAttribute('id'));
    assert.strictEqual(await input().getAttribute('aria-expanded'), 'true');
    assert.deepStrictEqual(await options().locator('.option-main').allTextContents(), ['bob', 'Bob Smith']);
    assert.strictEqual(await selected(), 'bobonline');
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await selected(), 'Bob Smithoffline');
    assert.deepStrictEqual(await options().evaluateAll((els) => els.map((el) => el.getAttribute('aria-selected'))), ['false', 'true']);
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await selected(), 'bobonline', 'wraps around');
    await page().keyboard.press('ArrowUp');
    await page().keyboard.press('Enter');
    await list().waitFor({ state: 'hidden' });
    assert.strictEqual(await input().inputValue(), 'ping @Bob Smith ');
    assert.strictEqual(await input().getAttribute('aria-activedescendant'), null);
    assert.strictEqual((await chat.posted()).filter((m) => m.type === 'send').length, 0, 'Enter took the suggestion, it did not send');

    await page().keyboard.type('and @her');
    assert.deepStrictEqual(await options().locator('.option-main').allTextContents(), ['@here']);
    await page().keyboard.press('Tab');
    await page().keyboard.type('too, @carol');
    await list().waitFor();
    await page().keyboard.press('Escape');
    await list().waitFor({ state: 'hidden' });
    assert.ok(await input().isVisible());
    await page().keyboard.press('Enter');
    const sent = await chat.waitForPosted((m) => m.type === 'send');
    assert.deepStrictEqual(sent, {
      type: 'send',
      conversationId: 'channel:deploys',
      text: 'ping @Bob Smith and @here too, @carol',
      // The picks, then a name typed in full that only one person has.
      mentions: [BOB_SMITH, 'here', CAROL],
    });
    assert.strictEqual(await input().inputValue(), '');
  });

  it('drops a pick whose name was edited away; a message without mentions carries none', async () => {
    await open();
    await page().keyboard.type('@ca');
    await options().first().waitFor();
    await page().keyboard.press('ArrowLeft');
    await list().waitFor({ state: 'hidden' });
    assert.strictEqual(await input().evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart), 2, 'the key moved the caret');
    await page().keyboard.press('End');
    await page().keyboard.type('r');
    await options().first().waitFor();
    await page().keyboard.press('Enter');
    assert.strictEqual(await input().inputValue(), '@carol ');
    await input().fill('never mind');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'send'), { type: 'send', conversationId: 'channel:deploys', text: 'never mind' });
  });

  it('completes #channels and :shortcodes: (as the emoji), and a click takes a suggestion', async () => {
    await open();
    await page().keyboard.type('see #de');
    await list().waitFor();
    assert.deepStrictEqual(await options().locator('.option-main').allTextContents(), ['deploys', 'design']);
    await options().nth(1).click();
    assert.strictEqual(await input().inputValue(), 'see #design ');
    assert.ok(await input().evaluate((el) => el === el.ownerDocument.activeElement), 'the box keeps the focus');

    await page().keyboard.type('ship it :tad');
    await list().waitFor();
    assert.strictEqual(await options().first().locator('.option-main').textContent(), ':tada:');
    assert.strictEqual(await options().first().locator('.option-detail').textContent(), 'party popper');
    await page().keyboard.press('Enter');
    assert.strictEqual(await input().inputValue(), 'see #design ship it 🎉 ');

    // One character after ':' or a time is not a shortcode yet; nothing opens.
    await page().keyboard.type('at 10:30 :x');
    assert.ok(await list().isHidden());
    await page().keyboard.type('zzzqqq');
    assert.ok(await list().isHidden(), 'nothing matches: no popup');
    await chat.screenshot('autocomplete-closed');
  });

  it('works in the thread composer too, and a reply carries its mentions', async () => {
    await open();
    const parent = DEPLOYS_MESSAGES.find((m) => m.replies)!;
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: parent.id, parent, replies: [], hasOlder: false, focusId: parent.id });
    const reply = page().locator('#thread-input');
    await reply.waitFor();
    await reply.focus();
    await page().keyboard.type('@bo');
    const threadList = page().locator('.autocomplete').nth(1);
    await threadList.waitFor();
    await chat.screenshot('autocomplete-thread');
    await page().keyboard.press('Enter');
    await page().keyboard.type('can you check?');
    await page().keyboard.press('Enter');
    const sent = await chat.waitForPosted((m) => m.type === 'reply');
    assert.deepStrictEqual(sent, { type: 'reply', conversationId: 'channel:deploys', parentId: parent.id, text: '@bob can you check?', mentions: [BOB] });
  });

  it('shows the suggestions above the box, in the theme’s colours', async () => {
    await open();
    await chat.setTheme(DARK);
    await input().focus();
    await page().keyboard.type('@');
    await list().waitFor();
    const box = (await page().locator('#composer').boundingBox())!;
    const popup = (await list().boundingBox())!;
    assert.ok(popup.y + popup.height <= box.y, `above the composer (${popup.y + popup.height} ≤ ${box.y})`);
    assert.deepStrictEqual(await options().locator('.option-main').allTextContents(), ['bob', 'carol', 'Bob Smith', '@channel', '@here']);
    const colours = await list().evaluate((el) => {
      const style = el.ownerDocument.defaultView!.getComputedStyle(el);
      return {
        background: style.backgroundColor,
        selected: el.ownerDocument.defaultView!.getComputedStyle(el.querySelector('[aria-selected="true"]')!).backgroundColor,
      };
    });
    assert.notStrictEqual(colours.background, 'rgba(0, 0, 0, 0)', 'an opaque popup');
    assert.notStrictEqual(colours.selected, colours.background, 'the highlighted suggestion stands out');
    await chat.screenshot('autocomplete-people-dark');
    await chat.setTheme(LIGHT);
    await chat.screenshot('autocomplete-people-light');
  });
});
