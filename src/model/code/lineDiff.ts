import { DiffLine, FilePatch, Hunk } from './unifiedDiff';

/**
 * A patch made here from two versions of a file ("Suggest Edit…": the selection as it is and as
 * the user rewrote it), with a line diff (Myers; patience splits first for big texts). Lines keep a CRLF file's `\r`, as `git diff` does.
 */

type Op = { kind: 'context'; old: number; new: number } | { kind: 'remove'; old: number } | { kind: 'add'; new: number };

/**
 * Past this many differing lines the diff stops looking for the shortest edit and replaces the
 * differing middle whole: still a correct patch, and memory stays bounded (the search keeps d² numbers).
 */
const MAX_EDIT_DISTANCE = 1000;
/** Texts whose differing middle is longer than this are split by patience diff before Myers runs. */
const MYERS_FIRST_LINES = 4000;
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
  const ops = diffOps(a, b);
  const hunks = groupHunks(ops, before.lines, after.lines, input.context ?? 3);
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

/**
 * An edit script from a to b: common ends taken off, then the middle by Myers (the shortest
 * script) when it is small, else split at lines that occur once on each side, in order (patience
 * diff), each part diffed the same way. A part with no such line is replaced whole.
 */
function diffOps(a: readonly string[], b: readonly string[], depth = 0): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const ops: Op[] = [];
  for (let i = 0; i < prefix; i++) ops.push({ kind: 'context', old: i, new: i });
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const small = middleA.length + middleB.length <= MYERS_FIRST_LINES;
  // Splitting stops at a depth no real text reaches, so the recursion stays shallow.
  const split = () => (depth < MAX_SPLIT_DEPTH ? anchored(middleA, middleB, depth) : undefined);
  const middle = (small ? myers(middleA, middleB) : undefined) ?? split() ?? (small ? undefined : myers(middleA, middleB)) ?? replaced(middleA, middleB);
  append(ops, shifted(middle, prefix, prefix));
  for (let i = suffix; i > 0; i--) ops.push({ kind: 'context', old: a.length - i, new: b.length - i });
  return ops;
}

/** Patience diff's split: undefined when no line occurs exactly once on both sides. */
function anchored(a: readonly string[], b: readonly string[], depth: number): Op[] | undefined {
  const once = (lines: readonly string[]) => {
    const seen = new Map<string, number>();
    lines.forEach((line, i) => seen.set(line, seen.has(line) ? -1 : i));
    return seen;
  };
  const inA = once(a);
  const inB = once(b);
  const pairs: [number, number][] = [];
  for (const [line, i] of inA) {
    const j = inB.get(line);
    if (i >= 0 && j !== undefined && j >= 0) pairs.push([i, j]);
  }
  if (pairs.length === 0) return undefined;
  pairs.sort((x, y) => x[0] - y[0]);
  const anchors = longestIncreasing(pairs);
  const ops: Op[] = [];
  let fromA = 0;
  let fromB = 0;
  for (const [i, j] of [...anchors, [a.length, b.length] as [number, number]]) {
    append(ops, shifted(diffOps(a.slice(fromA, i), b.slice(fromB, j), depth + 1), fromA, fromB));
    if (i < a.length) ops.push({ kind: 'context', old: i, new: j });
    fromA = i + 1;
    fromB = j + 1;
  }
  return ops;
}

/** The longest run of pairs whose second numbers increase (pairs come sorted by the first). */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = []; // index into pairs of the smallest tail of a run of each length
  const previous = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], index) => {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (pairs[tails[mid]!]![1] < j) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[index] = tails[low - 1]!;
    tails[low] = index;
  });
  const run: [number, number][] = [];
  for (let at = tails.length > 0 ? tails[tails.length - 1]! : -1; at >= 0; at = previous[at]!) run.push(pairs[at]!);
  return run.reverse();
}

/** `to.push(...ops)` without the argument limit a spread of 100,000 ops would hit. */
function append(to: Op[], ops: readonly Op[]): void {
  for (const op of ops) to.push(op);
}

function replaced(a: readonly string[], b: readonly string[]): Op[] {
  return [...a.map((_, i): Op => ({ kind: 'remove', old: i })), ...b.map((_, i): Op => ({ kind: 'add', new: i }))];
}

function shifted(ops: readonly Op[], byOld: number, byNew: number): Op[] {
  return ops.map((op) =>
    op.kind === 'context'
      ? { kind: 'context', old: op.old + byOld, new: op.new + byNew }
      : op.kind === 'remove'
        ? { kind: 'remove', old: op.old + byOld }
        : { kind: 'add', new: op.new + byNew },
  );
}

/** Myers' O(ND) diff, or undefined when the texts differ by more than MAX_EDIT_DISTANCE lines. */
function myers(a: readonly string[], b: readonly string[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const maxD = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
  }
  return undefined;
}

/** The edit script, walked back from the end through each step's saved furthest points. */
function backtrack(trace: readonly Int32Array[], last: number, n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = last; d > 0; d--) {
    const saved = trace[d]!; // the furthest points after step d - 1, indices shifted by d + 1
    const at = (k: number) => saved[k + d + 1]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) ops.push({ kind: 'context', old: --x, new: --y });
    if (x === previousX) ops.push({ kind: 'add', new: --y });
    else ops.push({ kind: 'remove', old: --x });
  }
  while (x > 0 && y > 0) ops.push({ kind: 'context', old: --x, new: --y });
  return ops.reverse();
}

/** Changes with `context` unchanged lines around them; changes closer than twice that share a hunk. */
function groupHunks(ops: readonly Op[], oldLines: readonly string[], newLines: readonly string[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  // How many lines of each side come before each op, for the hunks' start lines.
  const oldBefore = [0];
  const newBefore = [0];
  for (const op of ops) {
    oldBefore.push(oldBefore[oldBefore.length - 1]! + (op.kind !== 'add' ? 1 : 0));
    newBefore.push(newBefore[newBefore.length - 1]! + (op.kind !== 'remove' ? 1 : 0));
  }
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === 'context') {
      i++;
      continue;
    }
    let start = i;
    while (start > 0 && i - start < context && ops[start - 1]!.kind === 'context') start--;
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== 'context') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]!.kind === 'context') gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(end + context, gap);
        break;
      }
    }
    hunks.push(toHunk(ops.slice(start, end), oldLines, newLines, oldBefore[start]!, newBefore[start]!));
    i = end;
  }
  return hunks;
}

function toHunk(slice: readonly Op[], oldLines: readonly string[], newLines: readonly string[], oldBefore: number, newBefore: number): Hunk {
  const lines: DiffLine[] = slice.map((op) =>
    op.kind === 'context'
      ? { kind: 'context', text: oldLines[op.old]! }
      : op.kind === 'remove'
        ? { kind: 'remove', text: oldLines[op.old]! }
        : { kind: 'add', text: newLines[op.new]! },
  );
  const oldCount = slice.filter((op) => op.kind !== 'add').length;
  const newCount = slice.filter((op) => op.kind !== 'remove').length;
  // git numbers an empty side by the line it follows, a side with lines by its first.
  return {
    oldStart: oldCount === 0 ? oldBefore : oldBefore + 1,
    oldLines: oldCount,
    newStart: newCount === 0 ? newBefore : newBefore + 1,
    newLines: newCount,
    section: '',
    lines,
    oldNoNewlineAtEnd: false,
    newNoNewlineAtEnd: false,
  };
}
