import MarkdownIt from 'markdown-it';
import type { MentionView } from '../chatProtocol';
import { button, h } from './dom';
import { markdownToDom } from './markdownDom';

/**
 * A message's text as markdown: CommonMark with GFM tables, strikethrough, task lists and
 * autolinks, with raw HTML off (markup in a message stays characters). markdown-it only parses;
 * the DOM is built from its tokens by markdownDom.ts with createElement and Text nodes, so no
 * HTML string is ever parsed. Hostile input is bounded: nesting deeper than MAX_NESTING stays
 * text, and texts or token streams over the caps are shown as plain text.
 */

/** Beyond this many characters a message is shown as plain text (the relay allows 256 KiB). */
export const MARKDOWN_MAX_CHARS = 50_000;
/** Beyond this many tokens (blocks and inline runs) likewise. */
export const MARKDOWN_MAX_TOKENS = 20_000;
/** A paragraph (one inline run) longer than this keeps its characters as they are: markdown-it's
 *  emphasis and link-label matching grows faster than linearly on long unbalanced runs. */
export const MARKDOWN_MAX_INLINE_CHARS = 8_000;
/** A table wider than this is shown as its source lines: thousands of cells are a layout storm. */
export const MARKDOWN_MAX_TABLE_COLUMNS = 64;
/** Plain text shown at once; the rest behind "Show all" (layout of a huge text node is slow too). */
export const PLAIN_SHOWN_CHARS = 50_000;
const MAX_NESTING = 20;

const parser = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false, maxNesting: MAX_NESTING });
// A peer's image would be a request to a server of their choosing (the CSP blocks it anyway): text.
parser.disable(['image']);
// Only links that say what they are: "main.go" or "index.ts" are file names, not web sites.
parser.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
parser.core.ruler.before('inline', 'long_inline_as_text', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'inline' && token.content.length > MARKDOWN_MAX_INLINE_CHARS) token.type = 'inline_plain';
  }
});
parser.core.ruler.before('inline', 'wide_table_as_text', (state) => {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type !== 'table_open') continue;
    let end = i;
    let columns = 0;
    while (end < tokens.length && tokens[end]!.type !== 'table_close') if (tokens[end++]!.type === 'th_open') columns++;
    const lines = tokens[i]!.map;
    if (columns <= MARKDOWN_MAX_TABLE_COLUMNS || !lines) continue;
    const text = new state.Token('inline_plain', '', 0);
    text.content = state.src.split('\n').slice(lines[0], lines[1]).join('\n');
    tokens.splice(i, end - i + 1, new state.Token('paragraph_open', 'p', 1), text, new state.Token('paragraph_close', 'p', -1));
  }
});

export interface MarkdownOptions {
  /** The mentions the message carries ('@Bob Smith', '@here'): highlighted where the text has them. */
  mentions?: readonly MentionView[];
}

/** The rendered text of a message: a `.message-text.markdown` element. */
export function renderMarkdown(text: string, options: MarkdownOptions = {}): HTMLElement {
  if (text.length > MARKDOWN_MAX_CHARS) return plain(text);
  let tokens;
  try {
    tokens = parser.parse(text, {});
  } catch {
    return plain(text);
  }
  if (countTokens(tokens) > MARKDOWN_MAX_TOKENS) return plain(text);
  const el = h('div', { className: 'message-text markdown' });
  el.appendChild(markdownToDom(tokens, options.mentions ?? []));
  return el;
}

/** Too big to format: the characters as they are (the first PLAIN_SHOWN_CHARS, then Show all). */
function plain(text: string): HTMLElement {
  const el = h('div', { className: 'message-text plain' }, text.length > PLAIN_SHOWN_CHARS ? text.slice(0, PLAIN_SHOWN_CHARS) : text);
  if (text.length > PLAIN_SHOWN_CHARS) {
    const more = button(
      'link-button show-all',
      `Show all ${text.length.toLocaleString('en-US')} characters`,
      [`… Show all ${text.length.toLocaleString('en-US')} characters`],
      () => el.replaceChildren(text),
    );
    el.append(more);
  }
  return el;
}

function countTokens(tokens: readonly { children: readonly unknown[] | null }[]): number {
  let count = tokens.length;
  for (const token of tokens) count += token.children?.length ?? 0;
  return count;
}
