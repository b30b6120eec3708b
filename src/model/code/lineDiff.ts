import { DiffLine, FilePatch, Hunk } from './unifiedDiff';

/**
 * A patch made here from two versions of a file ("Suggest Edit…": the selection as it is and as
 * the user rewrote it), with a line diff: Myers (bounded work on big texts, where a typical edit
 * is a few changes), patience splits when that is not enough. Lines keep a CRLF file's `\r`, as `git diff` does.
 */

/** Lines a[oldStart, oldEnd) replaced by b[newStart, newEnd) (either may be empty); lines between changes are common. */
export interface Change {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/**
 * Past this many differing lines the diff stops looking for the shortest edit and replaces the
 * differing middle whole: still a correct patch, and memory stays bounded (the search keeps d² numbers).
 */
const MAX_EDIT_DISTANCE = 1000;
/** A differing middle longer than this searches for the shortest edit only so long (MYERS_WORK steps) before patience splits it. */
const MYERS_FIRST_LINES = 4000;
const MYERS_WORK = 4_000_000;
const MAX_SPLIT_DEPTH = 64;

export interface MakePatchInput {
  /** undefined for a file being added. */
  oldPath?: string;
  /** undefined for a file being deleted. */
  newPath?: string;
  oldText?: string;
  newText?: string;
  /** Unchanged lines kept around each change (git's default is 3). */
  context?: number;
}

/** The file patch turning `oldText` into `newText` (no hunks when they are the same). */
export function makeFilePatch(input: MakePatchInput): FilePatch {
  const before = toLines(input.oldText ?? '');
  const after = toLines(input.newText ?? '');
  // The last line of a text without a final newline differs from the same line with one.
  const key = (text: { lines: string[]; endsWithNewline: boolean }, index: number) =>
    index === text.lines.length - 1 && !text.endsWithNewline ? `${text.lines[index]}\u0000` : text.lines[index]!;
  const a = before.lines.map((_, i) => key(before, i));
  const b = after.lines.map((_, i) => key(after, i));
  const hunks = groupHunks(diffLines(a, b), before.lines, after.lines, input.context ?? 3);
  for (const hunk of hunks) {
    const oldEnd = hunk.oldStart + hunk.oldLines - (hunk.oldLines === 0 ? 0 : 1);
    const newEnd = hunk.newStart + hunk.newLines - (hunk.newLines === 0 ? 0 : 1);
    hunk.oldNoNewlineAtEnd = !before.endsWithNewline && hunk.oldLines > 0 && oldEnd === before.lines.length;
    hunk.newNoNewlineAtEnd = !after.endsWithNewline && hunk.newLines > 0 && newEnd === after.lines.length;
  }
  const change = input.oldPath === undefined ? 'added' : input.newPath === undefined ? 'deleted' : input.oldPath !== input.newPath ? 'renamed' : 'modified';
  return {
    ...(input.oldPath !== undefined ? { oldPath: input.oldPath } : {}),
    ...(input.newPath !== undefined ? { newPath: input.newPath } : {}),
    change,
    binary: false,
    hunks,
  };
}

/** A text's lines (split at `\n` only) and whether it ends with one; '' has no lines. */
export function toLines(text: string): { lines: string[]; endsWithNewline: boolean } {
  if (text === '') return { lines: [], endsWithNewline: true };
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  return { lines, endsWithNewline };
}

/** Tuning of the line diff; tests lower the thresholds to drive small inputs down each path. */
export interface DiffLimits {
  /** Past this many differing lines Myers gives up (it keeps d² numbers). */
  maxEditDistance: number;
  /** A differing middle longer than this (both sides' lines) is "big": its Myers search is bounded by `myersWork`. */
  myersFirstLines: number;
  /** Steps (diagonals tried and lines compared) one Myers search of a big middle may take before patience splits it. */
  myersWork: number;
}

const DEFAULT_LIMITS: DiffLimits = { maxEditDistance: MAX_EDIT_DISTANCE, myersFirstLines: MYERS_FIRST_LINES, myersWork: MYERS_WORK };

/**
 * The changes from a to b, in order, none touching the next. Works on index
 * ranges of the two arrays (no slices or copies per level); lines are numbered (equal text,
 * equal number) only if a patience split is needed, which a typical edit of a big file is not:
 * Myers is linear in the lines times the few differences.
 */
export function diffLines(a: readonly string[], b: readonly string[], limits: DiffLimits = DEFAULT_LIMITS): Change[] {
  const differ = new RangeDiff(a, b, limits);
  differ.range(0, a.length, 0, b.length, 0);
  return differ.changes;
}

class RangeDiff {
  readonly changes: Change[] = [];
  /** Each line's number and per-number scratch counts, made on the first patience split. */
  private numbered?: { a: Int32Array; b: Int32Array; countA: Int32Array; countB: Int32Array; atB: Int32Array };

  constructor(
    private readonly a: readonly string[],
    private readonly b: readonly string[],
    private readonly limits: DiffLimits,
  ) {}

  /**
   * a[aLo, aHi) against b[bLo, bHi): common ends taken off, then the middle by Myers (the
   * shortest script; bounded work when the middle is big), else split at lines that occur once
   * on each side, in order (patience diff), each part diffed the same way. A part with neither
   * is replaced whole: still a correct script.
   */
  range(aLo: number, aHi: number, bLo: number, bHi: number, depth: number): void {
    const { a, b } = this;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo++;
      bLo++;
    }
    let suffix = 0;
    while (aLo < aHi - suffix && bLo < bHi - suffix && a[aHi - 1 - suffix] === b[bHi - 1 - suffix]) suffix++;
    aHi -= suffix;
    bHi -= suffix;
    if (aLo === aHi || bLo === bHi) this.replace(aLo, aHi, bLo, bHi);
    else {
      const work = aHi - aLo + (bHi - bLo) <= this.limits.myersFirstLines ? Infinity : this.limits.myersWork;
      // Splitting stops at a depth no real text reaches, so the recursion stays shallow.
      const done = this.myers(aLo, aHi, bLo, bHi, work) || (depth < MAX_SPLIT_DEPTH && this.anchored(aLo, aHi, bLo, bHi, depth));
      if (!done) this.replace(aLo, aHi, bLo, bHi);
    }
  }

  /** a[aLo, aHi) replaced by b[bLo, bHi), joined to the change before when it ends right there. */
  private replace(aLo: number, aHi: number, bLo: number, bHi: number): void {
    if (aLo === aHi && bLo === bHi) return;
    const last = this.changes[this.changes.length - 1];
    if (last && last.oldEnd === aLo && last.newEnd === bLo) {
      last.oldEnd = aHi;
      last.newEnd = bHi;
    } else this.changes.push({ oldStart: aLo, oldEnd: aHi, newStart: bLo, newEnd: bHi });
  }

  /** Patience diff's split; false (nothing written) when no line occurs exactly once on both sides. */
  private anchored(aLo: number, aHi: number, bLo: number, bHi: number, depth: number): boolean {
    const { a, b, countA, countB, atB } = (this.numbered ??= numberLines(this.a, this.b));
    for (let i = aLo; i < aHi; i++) countA[a[i]!]!++;
    for (let j = bLo; j < bHi; j++) {
      countB[b[j]!]!++;
      atB[b[j]!] = j;
    }
    const pairsA: number[] = [];
    const pairsB: number[] = [];
    for (let i = aLo; i < aHi; i++) {
      const id = a[i]!;
      if (countA[id] === 1 && countB[id] === 1) {
        pairsA.push(i);
        pairsB.push(atB[id]!);
      }
    }
    for (let i = aLo; i < aHi; i++) countA[a[i]!] = 0;
    for (let j = bLo; j < bHi; j++) countB[b[j]!] = 0;
    if (pairsA.length === 0) return false;
    let fromA = aLo;
    let fromB = bLo;
    for (const at of longestIncreasing(pairsB)) {
      const i = pairsA[at]!;
      const j = pairsB[at]!;
      this.range(fromA, i, fromB, j, depth + 1);
      fromA = i + 1;
      fromB = j + 1;
    }
    this.range(fromA, aHi, fromB, bHi, depth + 1);
    return true;
  }

  /**
   * Myers' O(ND) diff; false (nothing written) when the ranges differ by more than
   * maxEditDistance lines or the search takes more than `work` steps.
   */
  private myers(aLo: number, aHi: number, bLo: number, bHi: number, work: number): boolean {
    const { a, b } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.min(n + m, this.limits.maxEditDistance);
    const offset = maxD + 1;
    const v = new Int32Array(2 * maxD + 3);
    const trace: Int32Array[] = [];
    let steps = 0;
    for (let d = 0; d <= maxD; d++) {
      trace.push(v.slice(offset - d - 1, offset + d + 2));
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
        let y = x - k;
        const from = x;
        while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          this.backtrack(trace, d, aLo, n, bLo, m);
          return true;
        }
        steps += 1 + x - from;
      }
      if (steps > work) return false;
    }
    return false;
  }

  /** The edit script, walked back from the end through each step's saved furthest points. */
  private backtrack(trace: readonly Int32Array[], last: number, aLo: number, n: number, bLo: number, m: number): void {
    const steps: [old: number, new: number][] = []; // each removed (new -1) or added (old -1) line, last first
    let x = n;
    let y = m;
    for (let d = last; d > 0; d--) {
      const saved = trace[d]!; // the furthest points after step d - 1, indices shifted by d + 1
      const at = (k: number) => saved[k + d + 1]!;
      const k = x - y;
      const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
      const previousX = at(previousK);
      const previousY = previousX - previousK;
      while (x > previousX && y > previousY) {
        x--;
        y--;
      }
      if (x === previousX) steps.push([-1, bLo + --y]);
      else steps.push([aLo + --x, -1]);
    }
    // x and y are now the lines before the first step, which the range's common start left equal.
    let oldAt = aLo + x;
    let newAt = bLo + y;
    for (let i = steps.length - 1; i >= 0; i--) {
      const [old, added] = steps[i]!;
      if (old >= 0) {
        newAt += old - oldAt; // common lines skipped since the last step
        oldAt = old;
        this.replace(old, old + 1, newAt, newAt);
        oldAt++;
      } else {
        oldAt += added - newAt;
        newAt = added;
        this.replace(oldAt, oldAt, added, added + 1);
        newAt++;
      }
    }
  }
}

/** Both sides' lines as numbers (equal text, equal number) and zeroed per-number counters. */
function numberLines(a: readonly string[], b: readonly string[]): NonNullable<RangeDiff['numbered']> {
  const ids = new Map<string, number>();
  const number = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const numbered = { a: Int32Array.from(a, number), b: Int32Array.from(b, number) };
  return { ...numbered, countA: new Int32Array(ids.size), countB: new Int32Array(ids.size), atB: new Int32Array(ids.size) };
}

/** Indices of the longest run of values that increase (each value's index in `values`). */
function longestIncreasing(values: readonly number[]): number[] {
  const tails: number[] = []; // index of the smallest tail of a run of each length
  const previous = new Int32Array(values.length).fill(-1);
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (values[tails[mid]!]! < value) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[index] = tails[low - 1]!;
    tails[low] = index;
  }
  const run: number[] = [];
  for (let at = tails.length > 0 ? tails[tails.length - 1]! : -1; at >= 0; at = previous[at]!) run.push(at);
  return run.reverse();
}

/** Changes with `context` unchanged lines around them; changes closer than twice that share a hunk. */
function groupHunks(changes: readonly Change[], oldLines: readonly string[], newLines: readonly string[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  for (let first = 0; first < changes.length;) {
    let last = first;
    while (last + 1 < changes.length && changes[last + 1]!.oldStart - changes[last]!.oldEnd <= 2 * context) last++;
    hunks.push(toHunk(changes.slice(first, last + 1), oldLines, newLines, context));
    first = last + 1;
  }
  return hunks;
}

/** One hunk: each change's removed then added lines, the common lines between, `context` lines around. */
function toHunk(changes: readonly Change[], oldLines: readonly string[], newLines: readonly string[], context: number): Hunk {
  const first = changes[0]!;
  const last = changes[changes.length - 1]!;
  // Lines around a hunk are common, so the same count fits on both sides.
  const before = Math.min(context, first.oldStart, first.newStart);
  const after = Math.min(context, oldLines.length - last.oldEnd, newLines.length - last.newEnd);
  const lines: DiffLine[] = [];
  const common = (from: number, to: number) => {
    for (let i = from; i < to; i++) lines.push({ kind: 'context', text: oldLines[i]! });
  };
  common(first.oldStart - before, first.oldStart);
  changes.forEach((change, index) => {
    for (let i = change.oldStart; i < change.oldEnd; i++) lines.push({ kind: 'remove', text: oldLines[i]! });
    for (let j = change.newStart; j < change.newEnd; j++) lines.push({ kind: 'add', text: newLines[j]! });
    common(change.oldEnd, index + 1 < changes.length ? changes[index + 1]!.oldStart : last.oldEnd + after);
  });
  const oldFrom = first.oldStart - before;
  const newFrom = first.newStart - before;
  const oldCount = last.oldEnd + after - oldFrom;
  const newCount = last.newEnd + after - newFrom;
  // git numbers an empty side by the line it follows, a side with lines by its first.
  return {
    oldStart: oldCount === 0 ? oldFrom : oldFrom + 1,
    oldLines: oldCount,
    newStart: newCount === 0 ? newFrom : newFrom + 1,
    newLines: newCount,
    section: '',
    lines,
    oldNoNewlineAtEnd: false,
    newNoNewlineAtEnd: false,
  };
}
