import { strict as assert } from 'node:assert';
import * as nodePath from 'node:path';
import { isInside, joinInside, locationCandidates, MAX_CANDIDATES, relativePathProblem, tailGlob } from '../../../../src/model/code/workspacePaths';
import { Prng } from '../../helpers/prng';

describe('workspace paths: nothing opens outside the workspace', () => {
  const roots = ['/home/alice/app', '/home/alice/docs'];

  it('tells inside from outside, on POSIX and Windows', () => {
    assert.ok(isInside('/home/alice/app', '/home/alice/app', 'posix'));
    assert.ok(isInside('/home/alice/app', '/home/alice/app/src/a.ts', 'posix'));
    assert.ok(!isInside('/home/alice/app', '/home/alice/app-secrets/a.ts', 'posix'), 'a sibling with the same prefix is outside');
    assert.ok(!isInside('/home/alice/app', '/home/alice/app/../.ssh/id_rsa', 'posix'));
    assert.ok(!isInside('/home/alice/app', 'src/a.ts', 'posix'), 'a relative target is never inside');
    assert.ok(isInside('C:\\Users\\alice\\app', 'c:\\users\\alice\\APP\\src\\a.ts', 'win32'), 'Windows compares without case');
    assert.ok(!isInside('C:\\Users\\alice\\app', 'D:\\Users\\alice\\app\\a.ts', 'win32'), 'another drive is outside');
    assert.ok(!isInside('C:\\Users\\alice\\app', 'C:\\Users\\alice\\app\\..\\x', 'win32'));
  });

  it('joins only safe repository-relative paths below a root', () => {
    assert.equal(joinInside('/home/alice/app', 'src/a.ts', 'posix'), '/home/alice/app/src/a.ts');
    assert.equal(joinInside('C:\\app', 'src/a.ts', 'win32'), 'C:\\app\\src\\a.ts');
    for (const escape of ['../x', 'src/../../x', '/etc/passwd', '..', 'a/..', '~/.ssh/id_rsa', 'C:/x', '..\\..\\x', 'a\\..\\..\\x', 'a:b', 'a\nb', '']) {
      assert.equal(joinInside('/home/alice/app', escape, 'posix'), undefined, JSON.stringify(escape));
      assert.equal(joinInside('C:\\app', escape, 'win32'), undefined, JSON.stringify(escape));
      assert.notEqual(relativePathProblem(escape), undefined, JSON.stringify(escape));
    }
  });

  it('places an absolute path inside the workspace as itself, first', () => {
    const candidates = locationCandidates(roots, '/home/alice/app/src/a.ts', 'posix');
    assert.equal(candidates[0], '/home/alice/app/src/a.ts');
  });

  it('places a sender’s absolute path by its tails below each root, longest first', () => {
    const candidates = locationCandidates(roots, '/home/bob/work/app/src/a.ts', 'posix');
    assert.ok(!candidates.includes('/home/bob/work/app/src/a.ts'), 'the sender’s own path is outside');
    const order = ['/home/alice/app/app/src/a.ts', '/home/alice/app/src/a.ts', '/home/alice/app/a.ts'];
    assert.deepEqual(
      candidates.filter((c) => order.includes(c)),
      order,
    );
    assert.ok(candidates.includes('/home/alice/docs/src/a.ts'));
    const windows = locationCandidates(['C:\\app'], 'D:\\bob\\app\\src\\a.ts', 'win32');
    assert.ok(windows.includes('C:\\app\\src\\a.ts'), windows.join(' | '));
    assert.ok(
      windows.every((c) => c.toLowerCase().startsWith('c:\\app\\')),
      windows.join(' | '),
    );
    const crossed = locationCandidates(roots, 'C:\\Users\\bob\\app\\src\\a.ts', 'posix');
    assert.ok(crossed.includes('/home/alice/app/src/a.ts'), 'a Windows sender’s path on a POSIX receiver');
  });

  it('places relative paths and file URLs, dropping what `..` made unknowable', () => {
    assert.equal(locationCandidates(roots, './src/a.ts', 'posix')[0], '/home/alice/app/src/a.ts');
    assert.equal(locationCandidates(roots, 'src/a.ts', 'posix')[0], '/home/alice/app/src/a.ts');
    assert.equal(locationCandidates(roots, 'file:///home/alice/app/My%20File.ts', 'posix')[0], '/home/alice/app/My File.ts');
    assert.equal(locationCandidates(['C:\\app'], 'file:///C:/app/src/a.ts', 'win32')[0], 'C:\\app\\src\\a.ts');
    const up = locationCandidates(roots, '../../lib/util.ts', 'posix');
    assert.equal(up[0], '/home/alice/app/lib/util.ts');
  });

  it('never offers a place outside the roots, whatever the text (seeded fuzz)', () => {
    const prng = new Prng(28);
    const pieces = ['..', '.', '', 'src', 'a.ts', '/', '\\', 'C:', '~', 'home', 'alice', 'app', 'docs', '%2e%2e', 'file://', '\u0000', ' ', 'app-secrets'];
    for (let i = 0; i < 3000; i++) {
      const parts = Array.from({ length: prng.int(1, 10) }, () => prng.pick(pieces));
      const seen = parts.join(prng.pick(['/', '\\', '']));
      for (const flavour of ['posix', 'win32'] as const) {
        const flavourRoots = flavour === 'posix' ? roots : ['C:\\app', 'D:\\docs'];
        const candidates = locationCandidates(flavourRoots, seen, flavour);
        assert.ok(candidates.length <= MAX_CANDIDATES);
        for (const candidate of candidates) {
          assert.ok(
            flavourRoots.some((root) => isInside(root, candidate, flavour)),
            `${JSON.stringify(seen)} → ${candidate}`,
          );
          assert.equal(nodePath[flavour].normalize(candidate), candidate, `${JSON.stringify(seen)} → ${candidate} is not normal`);
        }
      }
    }
  });

  it('refuses device, UNC and control-character paths outright', () => {
    for (const seen of ['\\\\server\\share\\a.ts', '//server/share/a.ts', '\\\\?\\C:\\a.ts', '\\\\.\\pipe\\x', 'a\u0000.ts', 'x'.repeat(2000)]) {
      assert.deepEqual(locationCandidates(roots, seen, 'posix'), [], JSON.stringify(seen.slice(0, 40)));
      assert.deepEqual(locationCandidates(['C:\\app'], seen, 'win32'), [], JSON.stringify(seen.slice(0, 40)));
    }
  });

  it('makes a findFiles glob only from a safe tail', () => {
    assert.equal(tailGlob('com/example/Foo.java'), '**/com/example/Foo.java');
    for (const bad of ['../x.java', '/abs/x.java', 'a/*.java', 'a/{b,c}.java', 'a/[x].java', '']) assert.equal(tailGlob(bad), undefined, bad);
  });
});
