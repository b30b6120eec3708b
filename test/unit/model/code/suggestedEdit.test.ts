import { strict as assert } from 'node:assert';
import { describeConflict, applyPatch } from '../../../../src/model/code/patchApply';
import { suggestedEdit } from '../../../../src/model/code/suggestedEdit';
import { parsePatch } from '../../../../src/model/code/unifiedDiff';
import { Prng } from '../../helpers/prng';

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`);

/** The text the patch makes of `before`, applied strictly (its line numbers must be right). */
function applied(patch: string, before: string): string {
  const parsed = parsePatch(patch);
  if (!parsed.ok) assert.fail(`refused at line ${parsed.line}: ${parsed.problem}`);
  const outcome = applyPatch(parsed.files, () => before);
  if (!outcome.ok) assert.fail(outcome.conflicts.map(describeConflict).join('; '));
  for (const file of outcome.files)
    assert.deepEqual(
      file.offsets,
      file.offsets.map(() => 0),
      'every hunk where its numbers say',
    );
  return outcome.files[0]!.text!;
}

describe('suggestedEdit (Suggest Edit… on a selection)', () => {
  const before = numbered(60).join('\n') + '\n';

  it('keeps only the hunks that touch the selected lines, with the later ones renumbered', () => {
    const lines = numbered(60);
    lines.splice(2, 0, 'inserted at the top'); // shifts every line below by one
    lines[30] = 'changed in the middle'; // old line 30, now line 31
    lines.splice(50, 2); // old lines 50-51 removed
    const after = lines.join('\n') + '\n';

    const middle = suggestedEdit('src/a.ts', before, after, 31, 31);
    assert.ok(middle);
    assert.equal(middle.file.hunks.length, 1);
    const expected = numbered(60);
    expected[29] = 'changed in the middle';
    assert.equal(applied(middle.patch, before), expected.join('\n') + '\n');

    const bottom = suggestedEdit('src/a.ts', before, after, 49, 52);
    assert.ok(bottom);
    const withoutTwo = numbered(60);
    withoutTwo.splice(49, 2);
    assert.equal(applied(bottom.patch, before), withoutTwo.join('\n') + '\n');

    const all = suggestedEdit('src/a.ts', before, after, 1, lines.length);
    assert.equal(applied(all!.patch, before), after);
    assert.equal(suggestedEdit('src/a.ts', before, after, 10, 20), undefined, 'nothing changed in 10-20');
  });

  it('any selection gives a patch that applies exactly (300 seeded edits)', () => {
    const rng = new Prng(28);
    for (let round = 0; round < 300; round++) {
      const lines = numbered(rng.int(1, 80));
      const original = lines.join('\n') + '\n';
      for (let edits = rng.int(1, 6); edits > 0; edits--) {
        const at = rng.int(0, lines.length);
        const kind = rng.int(0, 2);
        if (kind === 0) lines.splice(at, 0, `new ${round}-${edits}`);
        else if (kind === 1 && lines.length > 1) lines.splice(Math.min(at, lines.length - 1), 1);
        else if (lines.length > 0) lines[Math.min(at, lines.length - 1)] = `changed ${round}-${edits}`;
      }
      const after = lines.join('\n') + '\n';
      const first = rng.int(1, Math.max(1, lines.length));
      const last = rng.int(first, Math.max(first, lines.length));
      const edit = suggestedEdit('f.txt', original, after, first, last);
      if (edit) applied(edit.patch, original); // throws unless every kept hunk fits where it says
    }
  });
});
