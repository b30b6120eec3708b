import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { React } from '../../../src/net/protocol/conversationMessages';
import {
  allEmoji,
  emojiByCharacters,
  emojiForShortcode,
  emojiGroups,
  replaceShortcodes,
  searchEmoji,
  type EmojiTable,
} from '../../../src/views/webview/emojiData';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const { emojiTable } = createRequire(__filename)(path.join(ROOT, 'scripts', 'emojiTable.js')) as { emojiTable: () => EmojiTable };

/** The webview's emoji set as the build trims it (scripts/emojiTable.js), read the way the bundle reads it. */
describe('emoji data (the set the autocomplete, the picker and the renderer share)', () => {
  before(() => {
    (globalThis as { TEAM_MESSENGER_EMOJI?: EmojiTable }).TEAM_MESSENGER_EMOJI = emojiTable();
  });

  it('holds the whole Unicode set by category, without components, and stays small', () => {
    const groups = emojiGroups();
    assert.equal(groups[0], 'Smileys & emotion');
    assert.equal(groups[groups.length - 1], 'Flags');
    assert.ok(!groups.some((g) => /component/i.test(g)));
    assert.ok(allEmoji().length > 1800, `${allEmoji().length} emoji`);
    assert.ok(allEmoji().every((e) => e.group >= 0 && e.group < groups.length && e.name !== ''));
    assert.ok(JSON.stringify(emojiTable()).length < 200_000, 'the trimmed table is what goes into the webview bundle');
  });

  it('holds only emoji the protocol takes as a reaction', () => {
    const refused = allEmoji().filter((e) => !React.safeParse({ t: 'react', n: 1, id: 'ep-1', emoji: e.emoji, on: true }).success);
    assert.deepEqual(
      refused.map((e) => e.name),
      [],
    );
  });

  it('finds emoji by GitHub shortcode, as reactions and text carry them (no variation selector after an emoji-presentation character)', () => {
    assert.equal(emojiForShortcode('+1')?.emoji, '👍');
    assert.equal(emojiForShortcode('thumbsup')?.emoji, '👍');
    assert.equal(emojiForShortcode('TADA')?.emoji, '🎉');
    assert.equal(emojiForShortcode('heart')?.emoji, '❤️', 'a text-default character keeps its selector');
    assert.equal(emojiForShortcode('white_check_mark')?.emoji, '✅');
    assert.equal(emojiForShortcode('no_such_emoji'), undefined);
    assert.equal(emojiByCharacters('🚀')?.name, 'rocket');
    for (const common of ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅', '🙏', '🚀']) assert.ok(emojiByCharacters(common), `${common} is in the set`);
  });

  it('searches shortcodes first, then names, then keywords', () => {
    assert.equal(searchEmoji(':thumbs')[0]?.emoji, '👍');
    assert.equal(searchEmoji('tada')[0]?.emoji, '🎉');
    const rocket = searchEmoji('rock').map((e) => e.emoji);
    assert.ok(rocket.includes('🚀'), rocket.join(''));
    assert.ok(
      searchEmoji('lol').some((e) => e.emoji === '😂'),
      'a keyword',
    );
    assert.ok(
      searchEmoji('red heart').some((e) => e.emoji === '❤️'),
      'several words',
    );
    assert.deepStrictEqual(searchEmoji('   '), []);
    assert.deepStrictEqual(searchEmoji('zzzzqqq'), []);
    assert.equal(searchEmoji('face', 5).length, 5);
  });

  it('shows known :shortcodes: in text as emoji, and leaves unknown ones, times and words alone', () => {
    assert.equal(replaceShortcodes('ship it :rocket: :tada:'), 'ship it 🚀 🎉');
    assert.equal(replaceShortcodes(':+1::+1:'), '👍👍');
    assert.equal(replaceShortcodes('(:smile:)'), '(😄)');
    assert.equal(replaceShortcodes(':not_an_emoji: stays'), ':not_an_emoji: stays');
    assert.equal(replaceShortcodes('at 10:100:20 sharp'), 'at 10:100:20 sharp');
    assert.equal(replaceShortcodes('no colons'), 'no colons');
    assert.equal(replaceShortcodes(':ROCKET:'), ':ROCKET:', 'shortcodes are lower case');
  });
});
