/**
 * Text from the network, made safe for the places VS Code renders as more than text.
 *
 * Notifications turn `[label](command:…)` into a link that runs a command on one click; quick
 * picks, status bar items and tree labels turn `$(name)` into icons; untrusted markdown still
 * makes links of autolinks and reference definitions. A peer's message, name, machine, file name,
 * or an error text a relay sent, must show as the characters it is, never as any of those.
 *
 * `inert` is the one function every such string goes through on its way to a VS Code sink (the
 * sinks themselves are reachable only through `safeWindow.ts`, whose parameters take `InertText`
 * or a string literal). Used as a template tag, it neutralises each interpolated value and keeps
 * the literal parts, which are the extension's own words (and may hold our own `$(icons)`).
 *
 * Neutralising keeps every visible character: a WORD JOINER (U+2060, invisible, no break) goes
 * between the characters that would start a link or an icon, so the syntax no longer matches;
 * explicit bidirectional overrides (which can make `exe.txt` read as `txt.exe`) show as U+FFFD,
 * and so do other control characters; line breaks become spaces where one line is expected.
 * Pure, no `vscode` import: the model can compute inert labels too.
 */

declare const inertBrand: unique symbol;

/** A string that went through `inert`: safe to show in any VS Code sink. */
export type InertText = string & { readonly [inertBrand]: true };

export interface InertOptions {
  /** Longest text kept, in code points, before `…` (default 200; see MAX_CHARS). */
  maxChars?: number;
  /** Keep line breaks (for a modal's detail); default false: one line. */
  multiline?: boolean;
}

/** The default length limit of one value: a name, a preview, an error. */
export const MAX_CHARS = 200;
/** The hard limit, whatever a caller asks for. */
export const MAX_CHARS_LIMIT = 10_000;

const JOINER = '\u2060';
const REPLACEMENT = '\uFFFD';

// `]` before `(` or `[` makes inline and reference links (images too), before `:` a definition (not
// before a digit: `[::1]:9999` is an address); `<` an autolink when what follows up to `>` holds a
// `:` or `@`; `$(` an icon. The joiner goes between the two characters.
const LINK_SYNTAX = /(\](?=[([]|:(?!\d))|<(?!\u2060)(?=[^\s<>]*[:@][^\s<>]*>)|\$(?=\())/g;
// A scheme VS Code or a markdown renderer would open: the joiner goes before its colon, which
// breaks raw URIs and linkified text alike (`www.` too, which GFM linkifies without a scheme).
const SCHEMES = /\b(command|vscode(?:-[a-z]+)*|file|javascript|vbscript|data|https?|ftp|mailto|ssh|git|[a-z][a-z0-9+.-]{0,30}(?=:\/\/))(?=:)/gi;
const WWW = /\b(www)(?=\.)/gi;
// Bidi embeddings, overrides and isolates; C0 and C1 controls but tab and line breaks; DEL.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F]/g;
const LINE_BREAKS = /\r\n|[\n\r\u0085\u2028\u2029\u000B\u000C]/g;

/**
 * Neutralises one value (`inert(peer.name)`), or, as a tag, every value of a template
 * (`` inert`${peer.name} wants to send you ${what}.` ``) with the default options.
 */
export function inert(value: unknown, options?: InertOptions): InertText;
export function inert(strings: TemplateStringsArray, ...values: unknown[]): InertText;
export function inert(first: unknown, ...rest: unknown[]): InertText {
  if (isTemplateStrings(first)) {
    let out = first[0] ?? '';
    for (let i = 0; i < rest.length; i++) out += neutralise(rest[i], {}) + (first[i + 1] ?? '');
    return out as InertText;
  }
  return neutralise(first, (rest[0] as InertOptions | undefined) ?? {}) as InertText;
}

/** Joins texts that are already inert (a separator of our own between them). */
export function joinInert(parts: readonly InertText[], separator: string): InertText {
  return parts.join(separator) as InertText;
}

function neutralise(value: unknown, options: InertOptions): string {
  const max = Math.max(1, Math.min(options.maxChars ?? MAX_CHARS, MAX_CHARS_LIMIT));
  let text = typeof value === 'string' ? value : String(value);
  text = truncate(text, max);
  text = text.replace(BIDI_CONTROLS, REPLACEMENT);
  if (options.multiline) text = text.replace(/\r\n?/g, '\n').replace(/[\u0085\u2028\u2029\u000B\u000C]/g, '\n');
  else text = text.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ');
  text = text.replace(CONTROLS, REPLACEMENT);
  return text.replace(LINK_SYNTAX, `$1${JOINER}`).replace(SCHEMES, `$1${JOINER}`).replace(WWW, `$1${JOINER}`);
}

/** At most `max` code points (a surrogate pair is never split), with `…` when cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Code units before the (max)th code point: where `…` takes over when there are more.
  let points = 0;
  let cut = 0;
  for (let i = 0; i < text.length; points++) {
    if (points === max - 1) cut = i;
    if (points === max) return `${text.slice(0, cut)}…`;
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return text;
}

function isTemplateStrings(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, 'raw');
}
