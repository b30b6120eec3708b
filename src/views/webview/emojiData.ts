/**
 * The one emoji set of the webview, shared by the `:shortcode:` autocomplete, the reaction
 * picker and the renderer (`replaceShortcodes`): emojibase-data's English names and keywords
 * with GitHub's shortcodes, trimmed at build time by scripts/emojiTable.js and put into the
 * bundle by esbuild.js. No DOM here, so the extension's tests can run it in Node too.
 */

/** `[emoji, name, group index, shortcodes joined by spaces, keywords joined by spaces]`. */
export type EmojiRow = readonly [string, string, number, string, string];
export interface EmojiTable {
  readonly groups: readonly string[];
  readonly rows: readonly EmojiRow[];
}

/** Put in by the build (esbuild.js `define`, as JSON); a test in Node sets it on globalThis first. */
declare const TEAM_MESSENGER_EMOJI: EmojiTable | string;

export interface Emoji {
  /** The characters ('👍'), as reactions and text carry them. */
  readonly emoji: string;
  /** 'thumbs up', what a screen reader says. */
  readonly name: string;
  /** Index into EMOJI_GROUPS. */
  readonly group: number;
  /** GitHub's, without colons ('+1', 'thumbsup'); some newer emoji have none. */
  readonly shortcodes: readonly string[];
  readonly keywords: readonly string[];
}

/** A shortcode as typed between colons: letters, digits, `_`, `+`, `-`. */
export const SHORTCODE = /^[a-z0-9_+-]+$/;
/** `:name:` in text (the name as SHORTCODE, ≤ 64 characters), not inside a word or a time ("10:100:3"). */
const SHORTCODE_IN_TEXT = /(?<![\p{L}\p{N}]):([a-z0-9_+-]{1,64}):(?![\p{L}\p{N}])/gu;

interface Loaded {
  groups: readonly string[];
  all: readonly Emoji[];
  byShortcode: Map<string, Emoji>;
  /** Per emoji (same index as `all`): the words of its shortcodes and name, lower case, for search. */
  words: readonly (readonly string[])[];
}

let loaded: Loaded | undefined;

/** Built on first use: the bundle only carries the table, the maps cost nothing until needed. */
function data(): Loaded {
  if (loaded) return loaded;
  const table = typeof TEAM_MESSENGER_EMOJI === 'string' ? (JSON.parse(TEAM_MESSENGER_EMOJI) as EmojiTable) : TEAM_MESSENGER_EMOJI;
  const all = table.rows.map(([emoji, name, group, shortcodes, keywords]) => ({
    emoji,
    name,
    group,
    shortcodes: shortcodes === '' ? [] : shortcodes.split(' '),
    keywords: keywords === '' ? [] : keywords.split(' '),
  }));
  const byShortcode = new Map<string, Emoji>();
  for (const e of all) for (const code of e.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, e);
  const words = all.map((e) => [...e.shortcodes.flatMap((code) => code.split(/[_-]/)), ...e.name.toLowerCase().split(/[\s:,]+/)]);
  loaded = { groups: table.groups, all, byShortcode, words };
  return loaded;
}

/** Category names, in order ('Smileys & emotion', …, 'Flags'). */
export function emojiGroups(): readonly string[] {
  return data().groups;
}

/** Every emoji, in the standard order (by group). */
export function allEmoji(): readonly Emoji[] {
  return data().all;
}

/** The emoji for a shortcode without colons ('tada' → 🎉), if there is one. */
export function emojiForShortcode(shortcode: string): Emoji | undefined {
  return data().byShortcode.get(shortcode.toLowerCase());
}

/** The emoji whose characters these are ('👍' → thumbs up). */
export function emojiByCharacters(characters: string): Emoji | undefined {
  return data().all.find((e) => e.emoji === characters);
}

/**
 * Emoji matching what was typed, best first: a shortcode that starts with it, then a word of a
 * shortcode or of the name that does, then a keyword that does; within each, the standard order.
 * Case and a leading ':' are ignored; nothing for an empty query.
 */
export function searchEmoji(query: string, limit = 50): Emoji[] {
  const wanted = query.trim().toLowerCase().replace(/^:/, '').replace(/:$/, '');
  if (wanted === '' || limit <= 0) return [];
  const ranks: Emoji[][] = [[], [], []];
  const words = wanted.split(/\s+/);
  const { all, words: named } = data();
  for (let i = 0; i < all.length; i++) {
    const rank = rankOf(all[i]!, named[i]!, wanted, words);
    if (rank !== undefined) ranks[rank]!.push(all[i]!);
  }
  return ranks.flat().slice(0, limit);
}

function rankOf(e: Emoji, named: readonly string[], wanted: string, words: string[]): number | undefined {
  if (e.shortcodes.some((code) => code.startsWith(wanted))) return 0;
  if (words.every((w) => named.some((n) => n.startsWith(w)))) return 1;
  if (words.every((w) => named.some((n) => n.startsWith(w)) || e.keywords.some((k) => k.startsWith(w)))) return 2;
  return undefined;
}

/**
 * Text with each known `:shortcode:` as its emoji (`:tada:` → 🎉); unknown ones stay as typed.
 * For the renderer to call on plain text runs (not inside code).
 */
export function replaceShortcodes(text: string): string {
  if (!text.includes(':')) return text;
  return text.replace(SHORTCODE_IN_TEXT, (whole, name: string) => emojiForShortcode(name)?.emoji ?? whole);
}
