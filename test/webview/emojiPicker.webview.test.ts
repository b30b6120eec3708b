import * as assert from 'assert';
import { ChatPage, useChatPage } from './chatPage';
import { CHANNELS, deploysView, init } from './fixtures';
import { DARK } from './themes';

/**
 * The reaction picker with the whole emoji set (the one the `:shortcode:` autocomplete uses): the
 * common reactions first, every category, search by name, keyword or shortcode, and the keyboard
 * (arrows by cell and by row across sections, typing searches, Enter picks, Escape closes).
 */
describe('chat webview: emoji picker (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const picker = () => page().locator('.emoji-picker');
  const focused = () => page().locator(':focus');
  const openPicker = async () => {
    await chat.setTheme(DARK);
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    const message = page().locator('.message[data-message-id="d5"]');
    await message.waitFor();
    await chat.clearPosted();
    await message.hover();
    await message.locator('.message-toolbar button[aria-label="Add reaction"]').click();
    await picker().waitFor();
  };

  it('holds the common reactions, then every category of the set; a category button jumps there', async () => {
    await openPicker();
    const sections = picker().locator('.emoji-grid');
    assert.strictEqual(await sections.first().getAttribute('aria-label'), 'Frequently used');
    assert.strictEqual(await sections.first().locator('button').count(), 10);
    const groups = await sections.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    assert.deepStrictEqual(groups, [
      'Frequently used',
      'Search results',
      'Smileys & emotion',
      'People & body',
      'Animals & nature',
      'Food & drink',
      'Travel & places',
      'Activities',
      'Objects',
      'Symbols',
      'Flags',
    ]);
    const all = await picker().locator('.emoji-section:not([hidden]) button[data-emoji]').count();
    assert.ok(all > 1800, `${all} emoji`);
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with thumbs up 👍');
    await chat.screenshot('emoji-picker');

    await picker().locator('.emoji-category[aria-label="Flags"]').click();
    assert.match((await focused().getAttribute('aria-label'))!, /flag/);
    assert.ok(await focused().isVisible());
    await page().keyboard.press('Enter');
    const react = await chat.waitForPosted((m) => m.type === 'react');
    assert.strictEqual(react.type === 'react' && react.emoji, '🏁', 'the first flag, chequered');
  });

  it('arrows move by cell and by row, across sections; Home and End go to the ends', async () => {
    await openPicker();
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with thanks 🙏', 'the row below (eight columns)');
    await page().keyboard.press('ArrowRight');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with rocket 🚀');
    await page().keyboard.press('ArrowDown');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'grinning face with big eyes 😃', 'into the next section, same column');
    await page().keyboard.press('ArrowUp');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with rocket 🚀', 'back up into the short last row');
    await page().keyboard.press('ArrowLeft');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with thanks 🙏');
    await page().keyboard.press('End');
    assert.match((await focused().getAttribute('aria-label'))!, /^flag: /);
    await page().keyboard.press('Home');
    assert.strictEqual(await focused().getAttribute('aria-label'), 'React with thumbs up 👍');
    assert.strictEqual(await picker().locator('button[data-emoji][tabindex="0"]').count(), 1, 'one tab stop in the grid');
  });

  it('typing searches names, keywords and shortcodes; Enter in the box takes the best match; nothing found says so', async () => {
    await openPicker();
    await page().keyboard.type('rock');
    assert.ok(
      await picker()
        .locator('.emoji-search')
        .evaluate((el) => el === el.ownerDocument.activeElement),
      'typing moved into the search box',
    );
    assert.strictEqual(await picker().locator('.emoji-search').inputValue(), 'rock');
    const results = picker().locator('.emoji-grid[aria-label="Search results"] button');
    assert.ok((await results.allTextContents()).includes('🚀'));
    assert.ok(await picker().locator('.emoji-grid[aria-label="Smileys & emotion"]').isHidden(), 'the categories give way to the results');

    await picker().locator('.emoji-search').fill('zzzqqq');
    await picker().locator('.emoji-empty', { hasText: 'No emoji for “zzzqqq”' }).waitFor();
    await picker().locator('.emoji-search').fill(':tada');
    await chat.screenshot('emoji-picker-search');
    await page().keyboard.press('Enter');
    await picker().waitFor({ state: 'hidden' });
    const react = await chat.waitForPosted((m) => m.type === 'react');
    assert.deepStrictEqual(react, { type: 'react', conversationId: 'channel:deploys', messageId: 'd5', emoji: '🎉', on: true });

    // Opened again: the search is cleared and the categories are back.
    const message = page().locator('.message[data-message-id="d5"]');
    await message.hover();
    await message.locator('.message-toolbar button[aria-label="Add reaction"]').click();
    await picker().waitFor();
    assert.strictEqual(await picker().locator('.emoji-search').inputValue(), '');
    assert.ok(await picker().locator('.emoji-grid[aria-label="Smileys & emotion"]').isVisible());
    await page().keyboard.press('Escape');
    await picker().waitFor({ state: 'hidden' });
    assert.strictEqual(await focused().getAttribute('aria-label'), 'Add reaction');
  });
});
