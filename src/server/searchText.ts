/**
 * What search sees of a text: its words, NFKC-normalised and lowercased (so "Ｄｅｐｌｏｙ" and
 * "deploy" are the same word), a word being a run of letters, digits and combining marks. The
 * index, the query parser and the check of each hit all cut text here, so they always agree.
 */

/** Index terms are at most this long; a longer word is indexed by its start and checked whole. */
export const MAX_TERM_CHARS = 64;

const ASCII = /^[\x00-\x7f]*$/;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export function normaliseText(text: string): string {
  // NFKC leaves ASCII as it is: the common case skips it.
  return (ASCII.test(text) ? text : text.normalize('NFKC')).toLowerCase();
}

/** The words of `text` in order, repeats included. */
export function wordsOf(text: string): string[] {
  const normal = normaliseText(text);
  if (!ASCII.test(normal)) return normal.match(WORD) ?? [];
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= normal.length; i++) {
    const c = i < normal.length ? normal.charCodeAt(i) : 0;
    const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(normal.slice(start, i));
      start = -1;
    }
  }
  return out;
}

/** The index term of a word: the word, or its start when it is longer than a term may be. */
export function termOf(word: string): string {
  return word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word;
}

/** What a message's words come from: its text and the names of its files. */
export function searchableText(text: string, files: readonly { name: string }[] | undefined): string {
  if (!files || files.length === 0) return text;
  let out = text;
  for (const file of files) out += '\n' + file.name;
  return out;
}

/** What search takes from a message beyond its text: its files and attachments. */
export interface NamedParts {
  files?: readonly { name: string }[];
  attachments?: readonly { name: string; kind: 'image' | 'file' }[];
}

/** The names a message's words come from beside its text: its files' and attachments'. */
export function partNames(message: NamedParts): readonly { name: string }[] | undefined {
  if (!message.attachments || message.attachments.length === 0) return message.files;
  return [...(message.files ?? []), ...message.attachments];
}

/** `has:file`: a file offered (recorded as a message) or attached. */
export function hasFilePart(message: NamedParts): boolean {
  return (message.files !== undefined && message.files.length > 0) || (message.attachments?.some((a) => a.kind === 'file') ?? false);
}

/** `has:image`: an image attached. */
export function hasImagePart(message: NamedParts): boolean {
  return message.attachments?.some((a) => a.kind === 'image') ?? false;
}

/** Whether a message counts as code: shared from an editor, or with a ``` fence in its text. */
export function looksLikeCode(text: string, code: unknown): boolean {
  // `code`: a shared excerpt, a patch or a terminal/problem block (issue 28).
  return code !== undefined || text.includes('```');
}

/** Whether `words` (a message's, in order) hold every query word as the start of a word and
 *  every phrase as a run of whole words. */
export function wordsMatch(words: readonly string[], prefixes: readonly string[], phrases: readonly (readonly string[])[]): boolean {
  for (const prefix of prefixes) if (!words.some((w) => w.startsWith(prefix))) return false;
  for (const phrase of phrases) if (!containsRun(words, phrase)) return false;
  return true;
}

function containsRun(words: readonly string[], run: readonly string[]): boolean {
  if (run.length === 0) return true;
  for (let i = 0; i + run.length <= words.length; i++) {
    let j = 0;
    while (j < run.length && words[i + j] === run[j]) j++;
    if (j === run.length) return true;
  }
  return false;
}
