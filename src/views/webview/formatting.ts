import type { CodeThemeView, MentionView } from '../chatProtocol';
import { fencedCodeBlock } from './codeBlockView';
import { h } from './dom';

/**
 * Message text and code for the first screen, before the formatter (formatter.ts: markdown-it
 * and shiki, a bundle of its own) has loaded: the text as it is, in Text nodes, split into its
 * paragraphs and fenced blocks so the formatted text that replaces it moves little. The
 * formatter is imported once the first screen is painted; then every stand-in still on screen
 * is drawn again formatted, in place, and the listeners (the lists, to measure their rows
 * before the next paint) are told. The theme and grammars that came before it are kept for it.
 */

type Formatter = typeof import('./formatter');

let formatter: Formatter | undefined;
let loading: Promise<void> | undefined;
let codeTheme: CodeThemeView | undefined;
const earlyGrammars: { name: string; grammars: unknown }[] = [];
const formattedListeners: (() => void)[] = [];

/** A stand-in's class, and how to draw it again formatted. */
const UNFORMATTED = 'unformatted';
const redraws = new WeakMap<HTMLElement, () => HTMLElement>();
/** A code element shown plain until the highlighter is here, and its language label. */
const UNHIGHLIGHTED = 'unhighlighted';
const codeLabels = new WeakMap<HTMLElement, string | undefined>();

/** More than this is cut in a stand-in: the formatter shows it all (or "Show all") moments later. */
const STAND_IN_MAX_CHARS = 20_000;
/** A fence line (CommonMark: up to 3 spaces, then 3 or more backticks or tildes, then the info string). */
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

export function formatterLoaded(): boolean {
  return formatter !== undefined;
}

/**
 * A message's text: formatted when the formatter is here, else its stand-in (redrawn formatted
 * later). `finish` adds what goes after the text (e.g. "(edited)"), to either.
 */
export function messageText(text: string, mentions: readonly MentionView[], finish: (el: HTMLElement) => void = () => undefined): HTMLElement {
  const el = formatter ? formatter.renderMarkdown(text, { mentions }) : standIn(text);
  finish(el);
  if (!formatter) redraws.set(el, () => messageText(text, mentions, finish));
  return el;
}

/**
 * A message's markdown as one line of plain text (a search hit, what a screen reader says), at
 * most `maxChars`; before the formatter is here, its characters as they are.
 */
export function plainLine(text: string, maxChars: number): string {
  if (formatter) return formatter.markdownOneLine(text, maxChars);
  return text.slice(0, maxChars).replace(/\s+/g, ' ').trim();
}

/** Fills `code` with `text`: coloured by the highlighter when it is here, plain (and coloured later) until then. */
export function highlightInto(code: HTMLElement, text: string, label: string | undefined): void {
  if (formatter) {
    formatter.highlightInto(code, text, label);
    return;
  }
  code.textContent = text;
  code.classList.add(UNHIGHLIGHTED);
  codeLabels.set(code, label);
}

export function setCodeTheme(view: CodeThemeView): void {
  if (formatter) formatter.setCodeTheme(view);
  else codeTheme = view;
}

export function grammarArrived(name: string, grammars: unknown): void {
  if (formatter) formatter.grammarArrived(name, grammars);
  else earlyGrammars.push({ name, grammars });
}

/** Called (once) when the formatter has loaded and the stand-ins on screen have been redrawn. */
export function whenFormatted(listener: () => void): void {
  if (formatter) listener();
  else formattedListeners.push(listener);
}

/** Imports the formatter after the next frame is painted (the first screen goes first). */
export function loadFormatterAfterPaint(): void {
  afterPaint(() => void loadFormatter());
}

/** Runs `then` in a task after the next frame (a frame's callbacks run before its paint). */
function afterPaint(then: () => void): void {
  requestAnimationFrame(() => setTimeout(then, 0));
}

/** Imports the formatter (once). Should it fail, the text stays readable as it is. */
export function loadFormatter(): Promise<void> {
  loading ??= import('./formatter').then(formatterArrived, (err: unknown) => {
    loading = undefined;
    console.error('Team Messenger: could not load the message formatter', err);
  });
  return loading;
}

function formatterArrived(loaded: Formatter): void {
  formatter = loaded;
  if (codeTheme) loaded.setCodeTheme(codeTheme);
  codeTheme = undefined;
  // Colouring is the slow part (a grammar's patterns are compiled on first use): the grammars
  // that came early are taken after the formatted text is painted, and not asked for again.
  const grammars = earlyGrammars.splice(0);
  for (const { name } of grammars) loaded.grammarComing(name);
  if (grammars.length > 0) afterPaint(() => grammars.forEach(({ name, grammars }) => loaded.grammarArrived(name, grammars)));
  for (const el of document.querySelectorAll<HTMLElement>(`.${UNFORMATTED}`)) {
    const redraw = redraws.get(el);
    if (redraw) el.replaceWith(redraw());
  }
  for (const code of document.querySelectorAll<HTMLElement>(`code.${UNHIGHLIGHTED}`)) {
    code.classList.remove(UNHIGHLIGHTED);
    loaded.highlightInto(code, code.textContent ?? '', codeLabels.get(code));
  }
  for (const listener of formattedListeners.splice(0)) listener();
}

/** The text as it is, paragraph by paragraph, with its fenced code blocks as code blocks. */
function standIn(text: string): HTMLElement {
  const el = h('div', { className: `message-text markdown ${UNFORMATTED}` });
  const lines = (text.length > STAND_IN_MAX_CHARS ? text.slice(0, STAND_IN_MAX_CHARS) : text).split('\n');
  let paragraph: string[] = [];
  const endParagraph = () => {
    // A line break is a break, as the formatter shows it (markdown-it's `breaks`).
    if (paragraph.length > 0) el.appendChild(h('p', {}, ...paragraph.flatMap((line, i) => (i === 0 ? [line] : [h('br'), line]))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (!fence) {
      if (line.trim() === '') endParagraph();
      else paragraph.push(line);
      continue;
    }
    endParagraph();
    const marker = fence[1]!;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker)) end++;
    el.appendChild(fencedCodeBlock(lines.slice(i + 1, end).join('\n'), fence[2] || undefined, highlightInto));
    i = end;
  }
  endParagraph();
  return el;
}
