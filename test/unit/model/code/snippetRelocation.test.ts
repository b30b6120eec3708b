import { strict as assert } from 'node:assert';
import { relocateSnippet } from '../../../../src/model/code/snippetRelocation';
import { Prng } from '../../helpers/prng';
import { TOTAL_FUNCTION } from '../../helpers/totalSource';

/** A file of `count` distinct numbered lines. */
function numbered(count: number, prefix = 'line'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i + 1};`);
}

describe('snippet relocation: shared lines found in the receiver’s copy', () => {
  // The function at lines 3-7.
  const file = ['import { a } from "./a";', '', ...TOTAL_FUNCTION, '', 'export const answer = 42;'];
  const snippet = file.slice(2, 7).join('\n');

  it('finds it where it was shared from when nothing moved', () => {
    assert.deepEqual(relocateSnippet(file.join('\n'), snippet, 3), { startLine: 3, endLine: 7, match: 'exact', moved: false });
  });

  it('follows it down after lines are added above it (the receiver’s Open lands on the moved lines)', () => {
    const edited = ['// header added by alice', '// and another', ...file.slice(0, 2), 'import { b } from "./b";', ...file.slice(2)];
    assert.deepEqual(relocateSnippet(edited.join('\n'), snippet, 3), { startLine: 6, endLine: 10, match: 'exact', moved: true });
  });

  it('follows it up after lines are removed above it, across CRLF line endings', () => {
    const edited = file.slice(2);
    assert.deepEqual(relocateSnippet(edited.join('\r\n'), snippet, 3), { startLine: 1, endLine: 5, match: 'exact', moved: true });
  });

  it('picks the copy nearest to the old place when the snippet appears twice', () => {
    const twice = [...file, ...numbered(50), ...file];
    assert.equal(relocateSnippet(twice.join('\n'), snippet, 3)!.startLine, 3);
    assert.equal(relocateSnippet(twice.join('\n'), snippet, 60)!.startLine, 62);
  });

  it('matches ignoring whitespace when the code was reindented or blank lines changed', () => {
    const reindented = [
      ...file.slice(0, 2),
      'export function total(items: number[]): number {',
      '    let sum = 0;',
      '',
      '    for (const item of items)   sum += item;',
      '    return sum;',
      '}',
    ];
    assert.deepEqual(relocateSnippet(reindented.join('\n'), snippet, 3), { startLine: 3, endLine: 8, match: 'whitespace', moved: false });
    const shifted = ['// new', ...reindented];
    assert.deepEqual(relocateSnippet(shifted.join('\n'), snippet, 3), { startLine: 4, endLine: 9, match: 'whitespace', moved: true });
  });

  it('prefers an exact match anywhere to a whitespace-insensitive one nearby', () => {
    const found = relocateSnippet(['let   sum=0;', ...numbered(30), 'let sum = 0;'].join('\n'), 'let sum = 0;', 1);
    assert.deepEqual(found, { startLine: 32, endLine: 32, match: 'exact', moved: true });
  });

  it('keeps a whitespace-insensitive match near the old place only', () => {
    const far = [...numbered(100), 'let   sum=0;'].join('\n');
    assert.equal(relocateSnippet(far, 'let sum = 0;', 1, { nearby: 10 }), undefined);
    assert.equal(relocateSnippet(far, 'let sum = 0;', 1, { nearby: 200 })?.startLine, 101);
  });

  it('finds a selection that starts and ends mid-line', () => {
    const partial = 'sum = 0;\n  for (const item of items) sum += item;\n  return';
    const edited = ['// moved', ...file];
    assert.deepEqual(relocateSnippet(edited.join('\n'), partial, 4), { startLine: 5, endLine: 7, match: 'exact', moved: true });
    assert.deepEqual(relocateSnippet(edited.join('\n'), 'answer = 4', 9), { startLine: 10, endLine: 10, match: 'exact', moved: true });
    assert.equal(relocateSnippet(edited.join('\n'), 'sum = 0;\n  return sum;', 4), undefined, 'edges must be neighbours');
  });

  it('drops the empty edge of a selection that began at a line’s end or ended at a line’s start', () => {
    assert.deepEqual(relocateSnippet(file.join('\n'), `\n${file[3]}\n${file[4]}\n`, 3), { startLine: 4, endLine: 5, match: 'exact', moved: false });
  });

  it('says undefined when the snippet is gone or only whitespace', () => {
    assert.equal(relocateSnippet(file.join('\n'), 'this line was deleted();', 3), undefined);
    assert.equal(relocateSnippet(file.join('\n'), '  \n\n', 3), undefined);
    assert.equal(relocateSnippet('', snippet, 3), undefined);
  });

  it('agrees with a brute-force search on seeded random files (repetitive lines included)', () => {
    const prng = new Prng(2028);
    const vocabulary = ['{', '}', 'return x;', '  return x;', 'x++;', '', 'y = f(x);', 'if (x) {'];
    for (let round = 0; round < 400; round++) {
      const lines = Array.from({ length: prng.int(1, 60) }, () => prng.pick(vocabulary));
      const length = prng.int(1, 6);
      const at = prng.int(0, Math.max(0, lines.length - length));
      const wanted = lines.slice(at, at + length);
      if (wanted.length < length || wanted.every((l) => l.trim() === '') || (length > 1 && (wanted[0] === '' || wanted[length - 1] === ''))) continue;
      const hint = prng.int(0, lines.length);
      const found = relocateSnippet(lines.join('\n'), wanted.join('\n'), hint + 1);
      // Brute force: every exact start (edges as line ends/starts), the nearest to the hint.
      const starts: number[] = [];
      for (let s = 0; s + length <= lines.length; s++) {
        const ok =
          length === 1
            ? lines[s]!.includes(wanted[0]!)
            : wanted.every((w, j) => (j === 0 ? lines[s]!.endsWith(w) : j === length - 1 ? lines[s + j]!.startsWith(w) : lines[s + j] === w));
        if (ok) starts.push(s);
      }
      const best = starts.reduce<number | undefined>((b, s) => (b === undefined || Math.abs(s - hint) < Math.abs(b - hint) ? s : b), undefined);
      assert.ok(best !== undefined, `round ${round}: the snippet was cut from the file`);
      assert.deepEqual(found, { startLine: best + 1, endLine: best + length, match: 'exact', moved: best !== hint }, `round ${round}`);
    }
  });

  it('finds the one place in a huge file of identical lines', () => {
    const lines = Array.from({ length: 200_000 }, () => 'x');
    lines.push('y');
    const found = relocateSnippet(lines.join('\n'), 'x\nx\nx\nx\nx\nx\nx\nx\ny', 1);
    assert.deepEqual(found, { startLine: 199_993, endLine: 200_001, match: 'exact', moved: true });
  });
});
