import { strict as assert } from 'node:assert';
import { diffRows, formatCounts, formatPatch, summarisePatch } from '../../../../src/model/code/diffRender';
import { FilePatch, parsePatch, ParsedPatch } from '../../../../src/model/code/unifiedDiff';
import { GIT_PATCH } from './gitPatchFixture';

function files(parsed: ParsedPatch): FilePatch[] {
  if (!parsed.ok) assert.fail(`refused at line ${parsed.line}: ${parsed.problem}`);
  return parsed.files;
}

describe('unified diffs: parsing and what the chat shows', () => {
  it('reads every kind of change git writes', () => {
    const parsed = files(parsePatch(GIT_PATCH));
    assert.deepEqual(
      parsed.map((f) => [f.oldPath, f.newPath, f.change, f.binary, f.hunks.length]),
      [
        ['a.txt', 'a.txt', 'modified', false, 2],
        [undefined, 'added.txt', 'added', false, 1],
        ['bin.dat', 'bin.dat', 'modified', true, 0],
        ['gone.txt', undefined, 'deleted', false, 1],
        ['old.txt', 'new.txt', 'renamed', false, 0],
        ['nonl.txt', 'nonl.txt', 'modified', false, 1],
        ['sp ace.txt', 'sp ace.txt', 'modified', false, 1],
        ['ü.txt', 'ü.txt', 'modified', false, 1],
      ],
    );
    assert.equal(parsed[1]!.newMode, '100755');
    assert.equal(parsed[0]!.hunks[1]!.section, 'seven');
    assert.deepEqual(
      [parsed[0]!.hunks[1]!.oldStart, parsed[0]!.hunks[1]!.oldLines, parsed[0]!.hunks[1]!.newStart, parsed[0]!.hunks[1]!.newLines],
      [8, 3, 8, 4],
    );
    const nonl = parsed[5]!.hunks[0]!;
    assert.ok(nonl.oldNoNewlineAtEnd && nonl.newNoNewlineAtEnd);
    assert.ok(!parsed[0]!.hunks[0]!.oldNoNewlineAtEnd);
  });

  it('counts +/− per file and in all, and names renames old → new', () => {
    const summary = summarisePatch(files(parsePatch(GIT_PATCH)));
    assert.deepEqual(
      summary.files.map((f) => `${f.title} ${formatCounts(f.added, f.removed)}${f.binary ? ' binary' : ''}`),
      [
        'a.txt +2 −1',
        'added.txt +1 −0',
        'bin.dat +0 −0 binary',
        'gone.txt +0 −1',
        'old.txt → new.txt +0 −0',
        'nonl.txt +1 −1',
        'sp ace.txt +1 −1',
        'ü.txt +1 −1',
      ],
    );
    assert.deepEqual([summary.added, summary.removed], [6, 5], 'what git format-patch’s stat says: 6 insertions, 5 deletions');
  });

  it('renders a file as rows numbered on both sides', () => {
    const [a] = files(parsePatch(GIT_PATCH));
    assert.deepEqual(diffRows(a!), [
      { kind: 'hunk', text: '@@ -1,5 +1,5 @@' },
      { kind: 'context', oldLine: 1, newLine: 1, text: 'one' },
      { kind: 'remove', oldLine: 2, text: 'two' },
      { kind: 'add', newLine: 2, text: 'TWO' },
      { kind: 'context', oldLine: 3, newLine: 3, text: 'three' },
      { kind: 'context', oldLine: 4, newLine: 4, text: 'four' },
      { kind: 'context', oldLine: 5, newLine: 5, text: 'five' },
      { kind: 'hunk', text: '@@ -8,3 +8,4 @@ seven' },
      { kind: 'context', oldLine: 8, newLine: 8, text: 'eight' },
      { kind: 'context', oldLine: 9, newLine: 9, text: 'nine' },
      { kind: 'context', oldLine: 10, newLine: 10, text: 'ten' },
      { kind: 'add', newLine: 11, text: 'eleven' },
    ]);
    assert.equal(diffRows(a!, 3).length, 3, 'bounded rows');
    const nonl = files(parsePatch(GIT_PATCH))[5]!;
    assert.deepEqual(diffRows(nonl).at(-1), { kind: 'no-newline', text: '\\ No newline at end of file' });
  });

  it('writes a patch back exactly as git wrote it (similarity aside)', () => {
    const parsed = files(parsePatch(GIT_PATCH));
    assert.deepEqual([parsed[0]!.oldBlob, parsed[0]!.newBlob, parsed[0]!.indexMode], ['c9e9e05', 'c61fe5e', '100644']);
    assert.deepEqual([parsed[1]!.oldBlob, parsed[1]!.newBlob, parsed[1]!.indexMode], ['0000000', '3e75765', undefined]);
    const asWritten = GIT_PATCH.split('\n')
      .filter((line) => !line.startsWith('similarity '))
      .map((line) => line.replace(/\t$/, ''))
      .join('\n');
    assert.equal(formatPatch(parsed), asWritten);
    assert.deepEqual(files(parsePatch(formatPatch(parsed))), parsed);
  });

  it('reads a mailed patch (git format-patch) and a plain diff -u', () => {
    const mail = ['From 2b6f177 Mon Sep 17 00:00:00 2001', 'Subject: [PATCH] fix', '', '---', ' a.txt | 2 +-', '', GIT_PATCH, '-- ', '2.39.5', ''].join('\n');
    assert.equal(files(parsePatch(mail)).length, 8);
    const plain = ['--- a.txt.orig\t2024-01-01 10:00:00.000000000 +0100', '+++ a.txt\t2024-01-01 10:01:00.000000000 +0100', '@@ -1 +1 @@', '-x', '+y', ''].join(
      '\n',
    );
    const [file] = files(parsePatch(plain));
    assert.deepEqual([file!.oldPath, file!.newPath, file!.change], ['a.txt.orig', 'a.txt', 'modified']);
  });

  it('keeps a CRLF file’s carriage returns in its lines, not in its names', () => {
    const crlf = ['diff --git a/w.txt b/w.txt\r', '--- a/w.txt\r', '+++ b/w.txt\r', '@@ -1,2 +1,2 @@\r', ' a\r', '-b\r', '+c\r', ''].join('\n');
    const [file] = files(parsePatch(crlf));
    assert.equal(file!.newPath, 'w.txt');
    assert.deepEqual(
      file!.hunks[0]!.lines.map((l) => l.text),
      ['a\r', 'b\r', 'c\r'],
    );
  });

  it('refuses a patch that says one thing and holds another, naming the line', () => {
    const header = ['diff --git a/a.txt b/a.txt', '--- a/a.txt', '+++ b/a.txt'];
    const cases: [string[], RegExp, number][] = [
      [[], /no diff/, 1],
      [['just some words'], /no diff/, 1],
      [[...header, '@@ -1,2 +1,2 @@', ' a', '-b'], /ends early: 0 old and 1 new lines missing/, 7],
      [[...header, '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '+d'], /more lines than its header says/, 8],
      [[...header, '@@ -1 +1 @@', '-a', '+b', '@@ -1 +1 @@', '-a', '+b'], /overlap or are out of order/, 7],
      [[...header, '@@ -1,x +1 @@', '-a'], /not a hunk header/, 4],
      [[...header, '@@ -0,1 +1 @@', '-a'], /line 0/, 4],
      [[...header, '@@ -1 +1 @@', '\\ No newline at end of file'], /follows no line/, 5],
      [[...header, '@@ -1,2 +1 @@', '-a', 'oops', '-b'], /ends early/, 6],
      [[...header], /no changes/, 4],
      [['--- /dev/null', '+++ /dev/null', '@@ -0,0 +1 @@', '+a'], /both sides are \/dev\/null/, 2],
      [['diff --git "a/x b/x', '--- "a/x', '+++ b/x', '@@ -1 +1 @@', '-a', '+b'], /not closed/, 2],
      [['diff --git "a/\\q" "b/\\q"', '--- "a/\\q"', '+++ "b/\\q"'], /unknown escape/, 1],
      [[...header, '@@ -99999999999999999999 +1 @@', '-a', '+b'], /too large/, 4],
    ];
    for (const [lines, problem, line] of cases) {
      const parsed = parsePatch(lines.join('\n'));
      assert.ok(!parsed.ok, lines.join(' | '));
      assert.match(parsed.problem, problem, lines.join(' | '));
      assert.equal(parsed.line, line, `${lines.join(' | ')}: ${parsed.problem}`);
    }
  });

  it('takes an empty line inside a hunk as an empty context line (a mailer stripped its space)', () => {
    const [file] = files(parsePatch(['--- a/a.txt', '+++ b/a.txt', '@@ -1,3 +1,3 @@', ' a', '', '-b', '+c', ''].join('\n')));
    assert.deepEqual(
      file!.hunks[0]!.lines.map((l) => l.kind),
      ['context', 'context', 'remove', 'add'],
    );
  });
});
