import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { checkCodeLink, CodeLink, linesOf, parseCodeSpec, snippetHash } from '../../../../src/model/code/codeLink';

describe('code links: what a shared selection carries', () => {
  const link: CodeLink = {
    repositories: ['github.com/team/app', 'file:///srv/git/app'],
    commit: 'a'.repeat(40),
    path: 'src/server/router.ts',
    startLine: 10,
    endLine: 24,
    snippetHash: snippetHash('const a = 1;\n'),
  };

  it('hashes a snippet the same across line endings, trailing spaces and trailing blank lines', () => {
    const base = snippetHash('function f() {\n  return 1;\n}');
    assert.equal(snippetHash('function f() {\r\n  return 1;\r\n}\r\n'), base);
    assert.equal(snippetHash('function f() {  \n  return 1;\t\n}\n\n\n'), base);
    assert.equal(base, createHash('sha256').update('function f() {\n  return 1;\n}').digest('hex'));
    assert.notEqual(snippetHash('function f() {\n    return 1;\n}'), base, 'indentation is part of the code');
    assert.notEqual(snippetHash('function f() {\n  return 2;\n}'), base);
  });

  it('takes whole lines of a text by 1-based inclusive numbers', () => {
    const text = 'one\r\ntwo\nthree\nfour';
    assert.equal(linesOf(text, 2, 3), 'two\nthree');
    assert.equal(linesOf(text, 4, 4), 'four');
    assert.equal(linesOf(text, 4, 5), undefined);
    assert.equal(linesOf(text, 0, 1), undefined);
    assert.equal(linesOf(text, 3, 2), undefined);
  });

  it('accepts a well-formed link from a peer and copies only its fields', () => {
    const checked = checkCodeLink(JSON.parse(JSON.stringify(link)));
    assert.deepEqual(checked, { ok: true, link });
    const minimal = checkCodeLink({ repositories: [], path: 'README.md', startLine: 1, endLine: 1 });
    assert.deepEqual(minimal, { ok: true, link: { repositories: [], path: 'README.md', startLine: 1, endLine: 1 } });
  });

  it('refuses a link that would reach outside the repository or is malformed, saying why', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [[], /not an object/],
      [{ ...link, extra: 1 }, /does not know \("extra"\)/],
      [{ ...link, repositories: 'github.com/team/app' }, /repositories/],
      [{ ...link, repositories: ['a', 'b', 'c', 'd', 'e'] }, /repositories/],
      [{ ...link, repositories: ['https://github.com/team/app'] }, /repository/],
      [{ ...link, commit: 'HEAD' }, /commit/],
      [{ ...link, commit: 'A'.repeat(40) }, /commit/],
      [{ ...link, path: undefined }, /no path/],
      [{ ...link, path: '../../.ssh/id_rsa' }, /leaves its folder/],
      [{ ...link, path: 'src/../../etc/passwd' }, /leaves its folder/],
      [{ ...link, path: '/etc/passwd' }, /absolute/],
      [{ ...link, path: '~/.bashrc' }, /absolute/],
      [{ ...link, path: 'C:\\Windows\\win.ini' }, /backslash or a colon/],
      [{ ...link, path: 'src\\..\\..\\x' }, /backslash or a colon/],
      [{ ...link, path: 'notes.txt:secret' }, /backslash or a colon/],
      [{ ...link, path: 'src//a.ts' }, /empty part/],
      [{ ...link, path: './a.ts' }, /empty part/],
      [{ ...link, path: 'a\u0000.ts' }, /control/],
      [{ ...link, path: 'a/'.repeat(600) + 'b' }, /longer than/],
      [{ ...link, startLine: 0 }, /lines/],
      [{ ...link, startLine: 1.5 }, /lines/],
      [{ ...link, startLine: 30, endLine: 20 }, /lines/],
      [{ ...link, endLine: 1e12 }, /lines/],
      [{ ...link, snippetHash: 'abc' }, /hash/],
    ];
    for (const [value, problem] of cases) {
      const checked = checkCodeLink(value);
      assert.ok(!checked.ok, JSON.stringify(value)?.slice(0, 80));
      assert.match(checked.problem, problem, JSON.stringify(value)?.slice(0, 80));
    }
  });

  it('reads the CLI’s PATH:L1-L2 and PATH:L, keeping a Windows drive', () => {
    assert.deepEqual(parseCodeSpec('src/a.ts:10-24'), { ok: true, path: 'src/a.ts', startLine: 10, endLine: 24 });
    assert.deepEqual(parseCodeSpec(' src/a.ts:7 '), { ok: true, path: 'src/a.ts', startLine: 7, endLine: 7 });
    assert.deepEqual(parseCodeSpec('C:\\app\\a.ts:3-9'), { ok: true, path: 'C:\\app\\a.ts', startLine: 3, endLine: 9 });
    const refusals: [string, RegExp][] = [
      ['src/a.ts', /PATH:LINE/],
      ['src/a.ts:', /PATH:LINE/],
      ['src/a.ts:x-y', /PATH:LINE/],
      [':10', /PATH:LINE/],
      ['src/a.ts:0-3', /counted from 1/],
      ['src/a.ts:9-3', /comes before/],
      ['src/a.ts:1-99999999999', /counted from 1/],
    ];
    for (const [spec, problem] of refusals) {
      const parsed = parseCodeSpec(spec);
      assert.ok(!parsed.ok, spec);
      assert.match(parsed.problem, problem, spec);
    }
  });
});
