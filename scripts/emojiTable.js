// The chat webview's emoji set: emojibase-data's English data with GitHub's shortcodes, trimmed at
// build time to what the `:shortcode:` autocomplete and the reaction picker use, so the bundle
// carries a small table instead of the package's full JSON. esbuild.js puts it in as a `define`.
'use strict';
const path = require('path');

/** emojibase groups left out: skin tone and hair components are not emoji one picks. */
const LEFT_OUT_GROUPS = new Set(['component']);

/**
 * `{ groups, rows }`: groups are the category names shown in the picker, in emojibase's order;
 * each row `[emoji, name, groupIndex, shortcodes, keywords]`, shortcodes and keywords joined
 * by spaces, rows in emojibase's order. Emoji without a group (regional indicator letters) are
 * left out; skin tone variants too (the base emoji stays).
 */
function emojiTable(dataDir = path.dirname(require.resolve('emojibase-data/package.json'))) {
  const compact = require(path.join(dataDir, 'en', 'compact.json'));
  const github = require(path.join(dataDir, 'en', 'shortcodes', 'github.json'));
  const messages = require(path.join(dataDir, 'en', 'messages.json'));
  const groupIndex = new Map();
  const groups = [];
  for (const group of [...messages.groups].sort((a, b) => a.order - b.order)) {
    if (LEFT_OUT_GROUPS.has(group.key)) continue;
    groupIndex.set(group.order, groups.length);
    groups.push(group.message.charAt(0).toUpperCase() + group.message.slice(1));
  }
  const rows = compact
    .filter((emoji) => emoji.group !== undefined && groupIndex.has(emoji.group))
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((emoji) => {
      const codes = github[emoji.hexcode];
      const shortcodes = codes === undefined ? [] : Array.isArray(codes) ? codes : [codes];
      const named = new Set([...emoji.label.toLowerCase().split(/[\s:,]+/), ...shortcodes]);
      const keywords = (emoji.tags ?? []).filter((tag) => !named.has(tag));
      return [presentation(emoji.unicode), emoji.label, groupIndex.get(emoji.group), shortcodes.join(' '), keywords.join(' ')];
    });
  return { groups, rows };
}

/**
 * The emoji as people type and send it: without a variation selector after a character that is
 * an emoji by default (👍, not 👍 + U+FE0F), so one reaction is not counted as two strings.
 */
function presentation(unicode) {
  return unicode.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1');
}

module.exports = { emojiTable };
