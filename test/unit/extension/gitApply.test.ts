import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitApplyThreeWay } from '../../../src/extension/gitApply';

/** Received patches applied by `git apply --3way` in a real repository made here. */
describe('patches applied by git (git apply --3way, the user’s index untouched)', function () {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  const write = (name: string, text: string) => fs.writeFileSync(file(name), text);
  const numbers = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  /** What the sender's `git diff` gives for an edit, the checkout then back as it was. */
  const patchOf = (edits: Record<string, (text: string) => string>) => {
    for (const [name, edit] of Object.entries(edits)) write(name, edit(read(name)));
    const patch = git('diff');
    git('checkout', '--', '.');
    return patch;
  };
  const indexBytes = () => fs.readFileSync(path.join(dir, '.git', 'index'));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-git-apply-'));
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('config', 'core.autocrlf', 'false');
    write('a.txt', numbers);
    write('b.txt', 'one\ntwo\nthree\n');
    git('add', '-A');
    git('commit', '-qm', 'start');
  });

  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies a clean patch to the working tree and leaves the index as it was', async () => {
    const patch = patchOf({ 'a.txt': (t) => t.replace('line 3\n', 'line three\n'), 'b.txt': (t) => t + 'four\n' });
    git('add', 'b.txt'); // nothing to stage: the index is HEAD's, byte for byte below
    const before = indexBytes();
    const result = await gitApplyThreeWay('git', dir, patch, ['a.txt', 'b.txt']);
    assert.deepEqual(result, { ok: true, conflicted: [], unchanged: false });
    assert.match(read('a.txt'), /^line 1\nline 2\nline three\nline 4\n/);
    assert.equal(read('b.txt'), 'one\ntwo\nthree\nfour\n');
    assert.deepEqual(indexBytes(), before, 'the user’s index is untouched');
    assert.equal(git('diff', '--cached', '--name-only'), '', 'nothing staged');
    assert.equal(git('diff', '--name-only'), 'a.txt\nb.txt\n');
  });

  it('merges into unstaged edits next to the change, keeping them (three-way)', async () => {
    const patch = patchOf({ 'a.txt': (t) => t.replace('line 10\n', 'line ten\n') });
    write('a.txt', numbers.replace('line 7\n', 'my line 7\n').replace('line 13\n', 'my line 13\n'));
    const result = await gitApplyThreeWay('git', dir, patch, ['a.txt']);
    assert.deepEqual(result, { ok: true, conflicted: [], unchanged: false });
    assert.match(read('a.txt'), /\nmy line 7\n(?:line \d+\n){2}line ten\n(?:line \d+\n){2}my line 13\n/);
    assert.equal(git('diff', '--cached', '--name-only'), '');
  });

  it('leaves conflict markers where both changed the same lines, and names those files', async () => {
    const patch = patchOf({ 'a.txt': (t) => t.replace('line 5\n', 'their line 5\n'), 'b.txt': (t) => t.replace('two', 'TWO') });
    write('a.txt', numbers.replace('line 5\n', 'my line 5\n'));
    const result = await gitApplyThreeWay('git', dir, patch, ['a.txt', 'b.txt']);
    assert.deepEqual(result, { ok: true, conflicted: ['a.txt'], unchanged: false });
    assert.match(read('a.txt'), /<<<<<<< ours\nmy line 5\n=======\ntheir line 5\n>>>>>>> theirs\n/);
    assert.equal(read('b.txt'), 'one\nTWO\nthree\n', 'the file without conflicts is applied');
    assert.equal(git('diff', '--cached', '--name-only'), '', 'no conflict stages in the user’s index');
  });

  it('says when a patch applied again changes nothing (it merges cleanly into itself)', async () => {
    const patch = patchOf({ 'a.txt': (t) => t.replace('line 3\n', 'line three\n') });
    assert.deepEqual(await gitApplyThreeWay('git', dir, patch, ['a.txt']), { ok: true, conflicted: [], unchanged: false });
    const applied = read('a.txt');
    assert.deepEqual(await gitApplyThreeWay('git', dir, patch, ['a.txt']), { ok: true, conflicted: [], unchanged: true });
    assert.equal(read('a.txt'), applied);
  });

  it('changes nothing at all when one file cannot be applied or merged', async () => {
    const good = patchOf({ 'b.txt': (t) => t.replace('two', 'TWO') });
    // A patch for a version of a.txt this repository never had: no blob to merge with.
    const foreign = [
      'diff --git a/a.txt b/a.txt',
      'index 1234567..89abcde 100644',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1,2 +1,2 @@',
      ' other 1',
      '-other 2',
      '+changed',
      '',
    ].join('\n');
    const result = await gitApplyThreeWay('git', dir, good + foreign, ['a.txt', 'b.txt']);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.problem : '', /a\.txt/);
    assert.equal(read('b.txt'), 'one\ntwo\nthree\n', 'the good file is not half-applied');
    assert.equal(read('a.txt'), numbers);
  });

  it('adds files, and names a conflicted file with quotes in its name as it is', async () => {
    write('odd "name".txt', 'x\n');
    git('add', '-A');
    git('commit', '-qm', 'odd');
    const patch = patchOf({ 'odd "name".txt': () => 'y\n' });
    const addition = [
      'diff --git a/new file.txt b/new file.txt',
      'new file mode 100644',
      'index 0000000..2b3e5f3',
      '--- /dev/null',
      '+++ b/new file.txt',
      '@@ -0,0 +1 @@',
      '+fresh',
      '',
    ].join('\n');
    write('odd "name".txt', 'z\n');
    const result = await gitApplyThreeWay('git', dir, patch + addition, ['odd "name".txt', 'new file.txt']);
    assert.deepEqual(result, { ok: true, conflicted: ['odd "name".txt'], unchanged: false });
    assert.equal(read('new file.txt'), 'fresh\n');
  });
});
