import { createHighlighterCoreSync, type HighlighterCore, type LanguageRegistration, type ThemedToken } from '@shikijs/core';
import { createJavaScriptRawEngine } from '@shikijs/engine-javascript/raw';
import { EmulatedRegExp } from 'oniguruma-to-es';
import type { CodeThemeView } from '../chatProtocol';
import { type GrammarName, grammarFor } from '../codeLanguages';
import { post } from './vscodeApi';

/**
 * Code highlighting in the colours of the user's VS Code theme: shiki's TextMate tokenizer (the
 * grammars VS Code itself uses) on JavaScript's own RegExp, so the page needs no WebAssembly and
 * no eval. The grammars come precompiled (their patterns already JavaScript, esbuild.js), so
 * nothing is translated here. The theme's token colours come from the extension (`code-theme`); a grammar comes from
 * the extension the first time a block in that language is shown (`load-grammar` → `grammar`).
 * Until both are here a block shows as plain text, and is coloured in place when they arrive.
 * Colours are set through the CSSOM (`style.color`), never as markup, and only as #hex values.
 */

/** Longer blocks stay plain: highlighting them would cost more than it is worth in a chat. */
export const HIGHLIGHT_MAX_CHARS = 20_000;
export const HIGHLIGHT_MAX_LINES = 500;
/** Per line: a long minified line, or a grammar that backtracks, stops being coloured here. The
 *  time is generous: a grammar's first lines also pay for the browser compiling its RegExps. */
const MAX_LINE_LENGTH = 1_000;
const LINE_TIME_LIMIT_MS = 500;

const HEX_COLOR = /^#[0-9a-f]{3,8}$/i;

let highlighter: HighlighterCore | undefined;
let themeName: string | undefined;
let themeFg = '';
let themeCount = 0;
const loaded = new Set<GrammarName>();
const requested = new Set<GrammarName>();

function core(): HighlighterCore {
  highlighter ??= createHighlighterCoreSync({ themes: [], langs: [], engine: createJavaScriptRawEngine() });
  return highlighter;
}

/** The theme's colours (again after the user switched themes): every block on screen is coloured anew. */
export function setCodeTheme(view: CodeThemeView): void {
  const settings = view.tokenColors.filter((rule) => validColor(rule.settings.foreground) || typeof rule.settings.fontStyle === 'string');
  const name = `team-messenger-${++themeCount}`;
  themeFg = validColor(view.fg) ? view.fg.toLowerCase() : '';
  core().loadThemeSync({
    name,
    type: view.kind === 'light' || view.kind === 'hc-light' ? 'light' : 'dark',
    fg: themeFg || '#888888',
    bg: validColor(view.bg) ? view.bg : '#00000000',
    settings,
  });
  themeName = name;
  rehighlight(() => true);
}

/** A grammar that is on its way (it came before the highlighter did): blocks shown meanwhile do not ask for it again. */
export function grammarComing(name: string): void {
  const grammar = grammarFor(name);
  if (grammar) requested.add(grammar);
}

/** A grammar the extension sent (undefined: it has none of that name): its waiting blocks are coloured. */
export function grammarArrived(name: string, grammars: unknown): void {
  const grammar = grammarFor(name);
  if (!grammar || !Array.isArray(grammars)) return;
  try {
    core().loadLanguageSync(grammars.map(reviveRegExps) as LanguageRegistration[]);
    loaded.add(grammar);
  } catch {
    return; // a grammar the engine cannot take: its blocks stay plain text
  }
  rehighlight((el) => el.dataset.grammar === grammar);
}

/**
 * Fills `code` with `text`, coloured when the grammar for `label` and the theme are here, plain
 * (and asked for) otherwise. The element keeps the text as its textContent either way.
 */
export function highlightInto(code: HTMLElement, text: string, label: string | undefined): void {
  const grammar = grammarFor(label);
  if (!grammar || text.length > HIGHLIGHT_MAX_CHARS || lineCount(text) > HIGHLIGHT_MAX_LINES) {
    code.textContent = text;
    return;
  }
  code.dataset.grammar = grammar;
  if (!loaded.has(grammar) && !requested.has(grammar)) {
    requested.add(grammar);
    post({ type: 'load-grammar', language: grammar });
  }
  paint(code, text, grammar);
}

function paint(code: HTMLElement, text: string, grammar: GrammarName): void {
  const tokens = themeName && loaded.has(grammar) ? tokenize(text, grammar, themeName) : undefined;
  if (!tokens) {
    code.textContent = text;
    code.classList.remove('highlighted');
    return;
  }
  const parts: Node[] = [];
  tokens.forEach((line, index) => {
    if (index > 0) parts.push(document.createTextNode('\n'));
    for (const token of line) parts.push(tokenNode(token));
  });
  code.replaceChildren(...parts);
  code.classList.add('highlighted');
}

function tokenize(text: string, grammar: GrammarName, theme: string): ThemedToken[][] | undefined {
  try {
    return core().codeToTokensBase(text, { lang: grammar, theme, tokenizeMaxLineLength: MAX_LINE_LENGTH, tokenizeTimeLimit: LINE_TIME_LIMIT_MS });
  } catch {
    return undefined;
  }
}

function tokenNode(token: ThemedToken): Node {
  const color = token.color?.toLowerCase();
  const style = token.fontStyle ?? 0;
  const plainColor = !color || color === themeFg || !HEX_COLOR.test(color);
  if (plainColor && style <= 0) return document.createTextNode(token.content);
  const span = document.createElement('span');
  span.textContent = token.content;
  if (!plainColor) span.style.color = color;
  // Bits as in TextMate: 1 italic, 2 bold, 4 underline, 8 strikethrough.
  if (style > 0) {
    if (style & 1) span.classList.add('tok-i');
    if (style & 2) span.classList.add('tok-b');
    if (style & 4) span.classList.add('tok-u');
    if (style & 8) span.classList.add('tok-s');
  }
  return span;
}

/** Colours again the blocks on screen that `which` picks, from their own text. */
function rehighlight(which: (el: HTMLElement) => boolean): void {
  for (const el of document.querySelectorAll<HTMLElement>('code[data-grammar]')) {
    const grammar = grammarFor(el.dataset.grammar);
    if (grammar && which(el)) paint(el, el.textContent ?? '', grammar);
  }
}

/** A grammar from JSON with its patterns as RegExps again ({ $re, flags, opts? } → RegExp / EmulatedRegExp). */
function reviveRegExps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveRegExps);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$re === 'string' && typeof record.flags === 'string') {
    return typeof record.opts === 'object' && record.opts !== null
      ? new EmulatedRegExp(record.$re, record.flags, record.opts)
      : new RegExp(record.$re, record.flags);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = reviveRegExps(item);
  return out;
}

function validColor(value: string | undefined): value is string {
  return typeof value === 'string' && HEX_COLOR.test(value);
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1 && count <= HIGHLIGHT_MAX_LINES; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
