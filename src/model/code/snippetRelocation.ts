/**
 * Where shared lines of code are now in the receiver's copy of the file: at the lines they were
 * shared from, or moved (lines added or removed above them, another commit), found exactly, then
 * ignoring whitespace (reindented, reflowed blank lines) near the old place.
 *
 * The snippet may start or end mid-line (a selection): its first line must end a line of the file,
 * its last line must start one, and a one-line snippet may sit anywhere in a line.
 */

export interface Relocated {
  /** 1-based, inclusive lines of the file that hold the snippet. */
  startLine: number;
  endLine: number;
  /** 'exact' up to whitespace at line ends; 'whitespace' ignoring all whitespace and blank lines. */
  match: 'exact' | 'whitespace';
  /** Whether it is no longer where it was shared from. */
  moved: boolean;
}

export interface RelocateOptions {
  /** How far (in lines, either way) a whitespace-insensitive match may be from the old place. */
  nearby?: number;
}

const DEFAULT_NEARBY = 2000;

/**
 * The snippet's place in `fileText`, nearest to `startLine` (1-based, where it was shared from),
 * or undefined when the file no longer holds it (or the snippet is only whitespace).
 */
export function relocateSnippet(fileText: string, snippet: string, startLine: number, options: RelocateOptions = {}): Relocated | undefined {
  let wanted = splitLines(snippet).map(trimEnd);
  let hint = startLine - 1;
  // A selection that started at the end of a line or ended at the start of one has an empty edge.
  if (wanted.length > 1 && wanted[0] === '') {
    wanted = wanted.slice(1);
    hint++;
  }
  if (wanted.length > 1 && wanted[wanted.length - 1] === '') wanted = wanted.slice(0, -1);
  if (wanted.every((line) => line.trim() === '')) return undefined;
  const lines = splitLines(fileText).map(trimEnd);

  const exact = nearest(findAll(lines, wanted), hint);
  if (exact !== undefined) return { startLine: exact + 1, endLine: exact + wanted.length, match: 'exact', moved: exact !== hint };

  // Whitespace-insensitive: blank lines dropped on both sides, the rest without any whitespace.
  const squeezedWanted = wanted.map(squeeze).filter((line) => line !== '');
  const kept: number[] = [];
  const squeezedLines: string[] = [];
  lines.forEach((line, index) => {
    const squeezed = squeeze(line);
    if (squeezed === '') return;
    kept.push(index);
    squeezedLines.push(squeezed);
  });
  const nearby = options.nearby ?? DEFAULT_NEARBY;
  const starts = findAll(squeezedLines, squeezedWanted).filter((at) => Math.abs(kept[at]! - hint) <= nearby);
  const best = nearest(starts, hint, (at) => kept[at]!);
  if (best === undefined) return undefined;
  const first = kept[best]!;
  const last = kept[best + squeezedWanted.length - 1]!;
  return { startLine: first + 1, endLine: last + 1, match: 'whitespace', moved: first !== hint };
}

/** Every index where `wanted` starts in `lines` (edges matched as parts of lines, see above). */
function findAll(lines: readonly string[], wanted: readonly string[]): number[] {
  const m = wanted.length;
  if (m === 0 || m > lines.length) return [];
  const edgesMatch = (at: number) =>
    m === 1 ? lines[at]!.includes(wanted[0]!) : lines[at]!.endsWith(wanted[0]!) && lines[at + m - 1]!.startsWith(wanted[m - 1]!);
  if (m <= 2) {
    const found: number[] = [];
    for (let at = 0; at + m <= lines.length; at++) if (edgesMatch(at)) found.push(at);
    return found;
  }
  // The whole middle lines are found with KMP over line ids (linear in the file's length), then
  // each hit's edges are checked.
  return kmp(lines, wanted.slice(1, -1))
    .map((at) => at - 1)
    .filter((at) => at >= 0 && at + m <= lines.length && edgesMatch(at));
}

/** Every start of `pattern` in `text`, whole lines compared (Knuth–Morris–Pratt). */
function kmp(text: readonly string[], pattern: readonly string[]): number[] {
  const ids = new Map<string, number>();
  const patternIds = pattern.map((line) => {
    if (!ids.has(line)) ids.set(line, ids.size);
    return ids.get(line)!;
  });
  const failure = new Array<number>(patternIds.length).fill(0);
  for (let i = 1, k = 0; i < patternIds.length; i++) {
    while (k > 0 && patternIds[i] !== patternIds[k]) k = failure[k - 1]!;
    if (patternIds[i] === patternIds[k]) k++;
    failure[i] = k;
  }
  const found: number[] = [];
  for (let i = 0, k = 0; i < text.length; i++) {
    const id = ids.get(text[i]!) ?? -1;
    while (k > 0 && id !== patternIds[k]) k = failure[k - 1]!;
    if (id === patternIds[k]) k++;
    if (k === patternIds.length) {
      found.push(i - k + 1);
      k = failure[k - 1]!;
    }
  }
  return found;
}

/** The candidate whose line is nearest to `hint` (the earlier one on a tie). */
function nearest(candidates: readonly number[], hint: number, lineOf: (candidate: number) => number = (c) => c): number | undefined {
  let best: number | undefined;
  for (const candidate of candidates) {
    if (best === undefined || Math.abs(lineOf(candidate) - hint) < Math.abs(lineOf(best) - hint)) best = candidate;
  }
  return best;
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function trimEnd(line: string): string {
  return line.replace(/\s+$/, '');
}

function squeeze(line: string): string {
  return line.replace(/\s+/g, '');
}
