import { toLines } from './lineDiff';
import { FileChange, FilePatch, Hunk, pathOf } from './unifiedDiff';
import { relativePathProblem } from './workspacePaths';

/**
 * A peer's patch applied to the receiver's files in memory, all or nothing: every hunk of every
 * file must find its lines (where the patch says, or moved by edits above, like `git apply`),
 * otherwise nothing is returned to write and each conflict says where and why.
 *
 * Hunks match exactly, line endings aside (CRLF and LF match each other).
 */

export interface AppliedFile {
  /** Where the result is written (the new path of a rename). */
  path: string;
  /** A rename's old path, to remove once the new file is written. */
  removePath?: string;
  /** The new contents; undefined when the file is deleted. */
  text?: string;
  change: FileChange;
  /** Per hunk, how many lines away from the patch's line numbers it applied. */
  offsets: number[];
}

export type ConflictReason = 'unsafe-path' | 'binary' | 'missing' | 'unreadable' | 'exists' | 'mismatch' | 'already-applied' | 'lines-left' | 'merge-conflict';

export interface Conflict {
  path: string;
  reason: ConflictReason;
  /** 1-based hunk of the file's patch. */
  hunk?: number;
  /** 1-based line of the receiver's file where the hunk's lines differ. */
  line?: number;
  expected?: string;
  found?: string;
  /** For 'unsafe-path' and 'unreadable': why. */
  problem?: string;
  /** For 'merge-conflict': how many places conflict. */
  places?: number;
}

/** On failure, `applied` holds what did apply, to report (and to finish with a three-way merge). */
export type PatchOutcome = { ok: true; files: AppliedFile[] } | { ok: false; conflicts: Conflict[]; applied: AppliedFile[] };

type HunksOutcome = { ok: true; text: string; offsets: number[] } | { ok: false; conflict: Omit<Conflict, 'path'> };

/** How far either way a mismatching hunk is compared line by line to say where it differs. */
const DIAGNOSE_WINDOW = 50;

/**
 * Applies every file of a patch. `read` gives a file's current text by its repository-relative
 * path, undefined when it does not exist. Later files see earlier files' results.
 */
export function applyPatch(files: readonly FilePatch[], read: (path: string) => string | undefined): PatchOutcome {
  const written = new Map<string, string | undefined>();
  const current = (path: string) => (written.has(path) ? written.get(path) : read(path));
  const results: AppliedFile[] = [];
  const conflicts: Conflict[] = [];
  for (const file of files) {
    const path = pathOf(file);
    const unsafe = [file.oldPath, file.newPath].find((p) => p !== undefined && relativePathProblem(p) !== undefined);
    if (unsafe !== undefined) {
      conflicts.push({ path: unsafe, reason: 'unsafe-path', problem: relativePathProblem(unsafe) });
      continue;
    }
    if (file.binary) {
      conflicts.push({ path, reason: 'binary' });
      continue;
    }
    const source = file.change === 'added' ? undefined : (file.oldPath ?? path);
    const before = source !== undefined ? current(source) : undefined;
    if (source !== undefined && before === undefined) {
      conflicts.push({ path: source, reason: 'missing' });
      continue;
    }
    if ((file.change === 'added' || file.change === 'renamed' || file.change === 'copied') && current(path) !== undefined) {
      conflicts.push({ path, reason: 'exists' });
      continue;
    }
    const outcome = applyHunks(before ?? '', file.hunks);
    if (!outcome.ok) {
      conflicts.push({ path, ...outcome.conflict });
      continue;
    }
    if (file.change === 'deleted' && outcome.text !== '') {
      conflicts.push({ path, reason: 'lines-left' });
      continue;
    }
    const text = file.change === 'deleted' ? undefined : outcome.text;
    const removePath = file.change === 'renamed' && source !== path ? source : undefined;
    results.push({
      path,
      ...(removePath !== undefined ? { removePath } : {}),
      ...(text !== undefined ? { text } : {}),
      change: file.change,
      offsets: outcome.offsets,
    });
    written.set(path, text);
    if (removePath !== undefined) written.set(removePath, undefined);
  }
  return conflicts.length > 0 ? { ok: false, conflicts, applied: results } : { ok: true, files: results };
}

/** One file's hunks applied to its text, or the first hunk that does not fit. */
export function applyHunks(text: string, hunks: readonly Hunk[]): HunksOutcome {
  const file = toLines(text);
  const lines = file.lines.map(bare);
  // Each line keeps its own ending; added lines (and a last line that gains a newline) take the
  // file's usual one, so a patch made on an LF checkout applies to a CRLF one and back.
  const endings = file.lines.map((line, i) => (i < lines.length - 1 || file.endsWithNewline ? (line.endsWith('\r') ? '\r\n' : '\n') : undefined));
  const crlf = endings.filter((e) => e === '\r\n').length;
  const usual = crlf > 0 && crlf * 2 >= endings.filter((e) => e !== undefined).length ? '\r\n' : '\n';
  let endsWithNewline = file.endsWithNewline;
  const out: { text: string; ending?: string }[] = [];
  const keep = (from: number, to: number) => {
    for (let i = from; i < to; i++) out.push({ text: lines[i]!, ending: endings[i] });
  };
  const offsets: number[] = [];
  let cursor = 0;
  let shift = 0;
  for (const [index, hunk] of hunks.entries()) {
    const oldSide = hunk.lines.filter((line) => line.kind !== 'add').map((line) => bare(line.text));
    const stated = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const at = place(lines, oldSide, hunk, stated + shift, cursor, endsWithNewline);
    if (at === undefined) return { ok: false, conflict: diagnose(lines, hunk, index, stated + shift, cursor, endsWithNewline) };
    keep(cursor, at);
    let old = at;
    for (const line of hunk.lines) {
      if (line.kind === 'context') keep(old, old + 1);
      if (line.kind !== 'add') old++;
      else out.push({ text: bare(line.text) });
    }
    if (old === lines.length) endsWithNewline = !hunk.newNoNewlineAtEnd;
    cursor = old;
    shift = at - stated;
    offsets.push(shift);
  }
  keep(cursor, lines.length);
  const joined = out.map((line, i) => line.text + (i < out.length - 1 || endsWithNewline ? (line.ending ?? usual) : '')).join('');
  return { ok: true, text: joined, offsets };
}

/** Why a conflict stopped the patch, for people. */
export function describeConflict(conflict: Conflict): string {
  const change = conflict.hunk !== undefined ? `change ${conflict.hunk}` : 'the change';
  switch (conflict.reason) {
    case 'unsafe-path':
      return `${clip(conflict.path)}: refused, ${conflict.problem ?? 'the path is not inside the repository'}`;
    case 'binary':
      return `${clip(conflict.path)}: binary changes cannot be applied from a chat message`;
    case 'missing':
      return `${clip(conflict.path)}: not in your copy`;
    case 'exists':
      return `${clip(conflict.path)}: already exists in your copy`;
    case 'already-applied':
      return `${clip(conflict.path)}: ${change} is already in your copy`;
    case 'unreadable':
      return `${clip(conflict.path)}: cannot be read (${conflict.problem ?? 'not a text file'})`;
    case 'merge-conflict':
      return `${clip(conflict.path)}: the changes conflict with yours in ${plural(conflict.places ?? 1, 'place')}`;
    case 'lines-left':
      return `${clip(conflict.path)}: your copy has lines the deletion does not remove`;
    case 'mismatch':
      return conflict.line !== undefined
        ? `${clip(conflict.path)}: ${change} does not match line ${conflict.line}: expected "${clip(conflict.expected ?? '')}", found "${clip(conflict.found ?? '(end of file)')}"`
        : `${clip(conflict.path)}: ${change} does not match your copy`;
  }
}

/**
 * Where a hunk's old lines are: nearest to `expected`, never before `cursor` (the end of the
 * previous hunk). A hunk with context only after its change must be at the file's start, one with
 * context only before it at the end (as git reads them); one without context anywhere.
 */
function place(
  lines: readonly string[],
  oldSide: readonly string[],
  hunk: Hunk,
  expected: number,
  cursor: number,
  endsWithNewline: boolean,
): number | undefined {
  const { leading, trailing } = contextAround(hunk);
  const hasContext = leading + trailing > 0;
  const last = lines.length - oldSide.length;
  const atStart = (hunk.oldStart === 0 && hunk.oldLines === 0) || (hasContext && leading === 0 && hunk.oldStart <= 1);
  const atEnd = (hasContext && trailing === 0) || hunk.oldNoNewlineAtEnd;
  const fits = (at: number) =>
    at >= cursor &&
    at <= last &&
    (!atStart || at === 0) &&
    (!atEnd || at === last) &&
    (!hunk.oldNoNewlineAtEnd || !endsWithNewline) &&
    oldSide.every((line, j) => lines[at + j] === line);
  for (let distance = 0; expected - distance >= cursor || expected + distance <= last; distance++) {
    if (fits(expected - distance)) return expected - distance;
    if (distance > 0 && fits(expected + distance)) return expected + distance;
  }
  return undefined;
}

/** Whether the hunk is already in the file, or else the line where it differs most plausibly. */
function diagnose(lines: readonly string[], hunk: Hunk, index: number, expected: number, cursor: number, endsWithNewline: boolean): Omit<Conflict, 'path'> {
  const newSide = hunk.lines.filter((line) => line.kind !== 'remove').map((line) => bare(line.text));
  const oldSide = hunk.lines.filter((line) => line.kind !== 'add').map((line) => bare(line.text));
  const changes = hunk.lines.some((line) => line.kind !== 'context');
  const reversed: Hunk = {
    ...hunk,
    oldLines: hunk.newLines,
    oldStart: hunk.newStart,
    oldNoNewlineAtEnd: hunk.newNoNewlineAtEnd,
    lines: hunk.lines.map((l) => (l.kind === 'add' ? { ...l, kind: 'remove' } : l.kind === 'remove' ? { ...l, kind: 'add' } : l)),
  };
  const newExpected = hunk.newLines === 0 ? hunk.newStart : hunk.newStart - 1;
  if (changes && newSide.length > 0 && place(lines, newSide, reversed, Math.max(cursor, newExpected), cursor, endsWithNewline) !== undefined) {
    return { reason: 'already-applied', hunk: index + 1 };
  }
  // The place in a window around the expected one where most of the old lines agree.
  let best = Math.max(cursor, Math.min(expected, Math.max(cursor, lines.length - oldSide.length)));
  let bestScore = -1;
  for (let at = Math.max(cursor, expected - DIAGNOSE_WINDOW); at <= Math.min(lines.length, expected + DIAGNOSE_WINDOW); at++) {
    const score = oldSide.filter((line, j) => lines[at + j] === line).length;
    if (score > bestScore || (score === bestScore && Math.abs(at - expected) < Math.abs(best - expected))) {
      best = at;
      bestScore = score;
    }
  }
  const differs = oldSide.findIndex((line, j) => lines[best + j] !== line);
  if (differs === -1) {
    // Every line agrees: the hunk fails on where it must be (start or end) or the final newline.
    return {
      reason: 'mismatch',
      hunk: index + 1,
      line: Math.min(best + oldSide.length, lines.length) + 1,
      expected: hunk.oldNoNewlineAtEnd ? '(end of file, no final newline)' : '(end of file)',
      found: lines[best + oldSide.length] ?? '(end of file)',
    };
  }
  const found = lines[best + differs];
  return { reason: 'mismatch', hunk: index + 1, line: best + differs + 1, expected: oldSide[differs], found: found ?? '(end of file)' };
}

function contextAround(hunk: Hunk): { leading: number; trailing: number } {
  let leading = 0;
  while (leading < hunk.lines.length && hunk.lines[leading]!.kind === 'context') leading++;
  if (leading === hunk.lines.length) return { leading, trailing: leading }; // only context: anchored nowhere
  let trailing = 0;
  while (trailing < hunk.lines.length && hunk.lines[hunk.lines.length - 1 - trailing]!.kind === 'context') trailing++;
  return { leading, trailing };
}

function bare(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
