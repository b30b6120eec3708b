/**
 * The emoji set (emojiData.ts and its table, some 150 KB) as a bundle of its own (dist/webview-emoji.js): the first
 * screen does not need it, so the picker and the composer's `:shortcode:` completion import it
 * when the page is first idle, or when one of them is used sooner.
 */

type EmojiData = typeof import('./emojiData');

let loaded: EmojiData | undefined;
let loading: Promise<EmojiData> | undefined;

/** The set, if it has loaded. */
export function emojiSet(): EmojiData | undefined {
  return loaded;
}

/** Imports the set (once); resolves with it. */
export function loadEmojiSet(): Promise<EmojiData> {
  loading ??= import('./emojiData').then(
    (data) => (loaded = data),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
