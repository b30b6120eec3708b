import { strict as assert } from 'node:assert';
import { Change, diffLines, DiffLimits } from '../../../../src/model/code/lineDiff';
import { Prng } from '../../helpers/prng';

/** The longest common subsequence's length, by the textbook table (small inputs only). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const line of a) {
    const row = [0];
    for (let j = 0; j < b.length; j++) row.push(line === b[j] ? previous[j]! + 1 : Math.max(previous[j + 1]!, row[j]!));
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * Checks that the changes are a script from a to b (ordered, apart, every line between them
 * common and equal) and returns how many lines they leave common.
 */
function checkScript(a: readonly string[], b: readonly string[], changes: readonly Change[], seed: string): number {
  let oldAt = 0;
  let newAt = 0;
  let common = 0;
  const rebuilt: string[] = [];
  const keep = (to: number) => {
    for (; oldAt < to; oldAt++, newAt++, common++) {
      assert.equal(a[oldAt], b[newAt], `${seed}: line ${oldAt} kept but a and b differ there`);
      rebuilt.push(a[oldAt]!);
    }
  };
  changes.forEach((change, index) => {
    assert.ok(change.oldStart <= change.oldEnd && change.newStart <= change.newEnd, `${seed}: change ${index} runs backwards`);
    assert.ok(change.oldEnd > change.oldStart || change.newEnd > change.newStart, `${seed}: change ${index} is empty`);
    assert.equal(change.oldStart - oldAt, change.newStart - newAt, `${seed}: change ${index} is not aligned with the one before`);
    if (index > 0) assert.ok(change.oldStart > oldAt || change.newStart > newAt, `${seed}: change ${index} touches the one before`);
    keep(change.oldStart);
    rebuilt.push(...b.slice(change.newStart, change.newEnd));
    oldAt = change.oldEnd;
    newAt = change.newEnd;
  });
  assert.equal(a.length - oldAt, b.length - newAt, `${seed}: the ends are not aligned`);
  keep(a.length);
  assert.deepEqual(rebuilt, b, `${seed}: the script does not turn a into b`);
  return common;
}

function randomLines(prng: Prng, vocabulary: readonly string[], max: number): string[] {
  return Array.from({ length: prng.int(0, max) }, () => prng.pick(vocabulary));
}

/** b made from a by a few insertions, deletions and replacements (a typical edit). */
function edited(prng: Prng, a: readonly string[], vocabulary: readonly string[]): string[] {
  const b = [...a];
  for (let edits = prng.int(0, 4); edits > 0; edits--) {
    const at = prng.int(0, b.length);
    const remove = prng.int(0, Math.min(3, b.length - at));
    b.splice(at, remove, ...randomLines(prng, vocabulary, 3));
  }
  return b;
}

describe('line diff (the changes behind Suggest Edit… and the patience split)', () => {
  const vocabulary = ['a', 'b', 'c', '', '}', 'return x;', '  d'];

  it('finds a shortest script: as many common lines as a brute-force LCS (seeded)', () => {
    const prng = new Prng(2026_1207);
    for (let round = 0; round < 600; round++) {
      const a = randomLines(prng, vocabulary, 30);
      const b = prng.chance(0.5) ? edited(prng, a, vocabulary) : randomLines(prng, vocabulary, 30);
      const seed = `round ${round}`;
      assert.equal(checkScript(a, b, diffLines(a, b), seed), lcsLength(a, b), `${seed}: not a shortest script`);
    }
  });

  it('gives a correct script down every path: bounded Myers, patience split, whole replacement (seeded)', () => {
    const prng = new Prng(77_28);
    const paths: DiffLimits[] = [
      { maxEditDistance: 2, myersFirstLines: 4000, myersWork: Infinity },
      { maxEditDistance: 1000, myersFirstLines: 6, myersWork: 5 },
      { maxEditDistance: 1, myersFirstLines: 1, myersWork: 0 },
    ];
    // Unique lines give the patience split anchors; repeated ones leave parts with none.
    const unique = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    for (let round = 0; round < 600; round++) {
      const words = prng.chance(0.5) ? [...vocabulary, ...unique] : vocabulary;
      const a = randomLines(prng, words, 40);
      const b = prng.chance(0.7) ? edited(prng, a, words) : randomLines(prng, words, 40);
      const limits = paths[round % paths.length]!;
      const common = checkScript(a, b, diffLines(a, b, limits), `round ${round}`);
      assert.ok(common <= lcsLength(a, b), `round ${round}`);
    }
  });

  it('finds the few changes of a huge file with repeated lines exactly', () => {
    const a = Array.from({ length: 200_000 }, (_, i) => (i % 7 === 0 ? '}' : `line ${i % 5000}`));
    const b = [...a];
    b[10] = 'changed near the top';
    b.splice(150_000, 1);
    b[b.length - 10] = 'changed near the end';
    const changes = diffLines(a, b);
    assert.deepEqual(changes, [
      { oldStart: 10, oldEnd: 11, newStart: 10, newEnd: 11 },
      { oldStart: 150_000, oldEnd: 150_001, newStart: 150_000, newEnd: 150_000 },
      { oldStart: 199_990, oldEnd: 199_991, newStart: 199_989, newEnd: 199_990 },
    ]);
  });
});
