import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatPatch } from '../../../../src/model/code/diffRender';
import { makeFilePatch } from '../../../../src/model/code/lineDiff';
import { applyPatch } from '../../../../src/model/code/patchApply';
import { parsePatch } from '../../../../src/model/code/unifiedDiff';
import { Prng } from '../../helpers/prng';

/** Checked against the real thing: git reads the patches made here, and these read git's. */
describe('patches agree with git', function () {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

  before(function () {
    try {
      execFileSync('git', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // no git on this machine: the parser's own tests still run
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-patch-'));
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('config', 'core.autocrlf', 'false');
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const prng = new Prng(4242);
  const vocabulary = ['alpha', 'beta', 'gamma', '', '  delta', '}', 'return x;', 'if (x) {', 'ünïcode ✓'];
  const randomText = () => {
    const lines = Array.from({ length: prng.int(0, 30) }, () => prng.pick(vocabulary));
    return lines.join('\n') + (lines.length > 0 && prng.chance(0.85) ? '\n' : '');
  };
  const edited = (text: string) => {
    const lines = text.split('\n');
    for (let edits = prng.int(1, 5); edits > 0; edits--) {
      const at = prng.int(0, lines.length - 1);
      if (prng.chance(0.4)) lines.splice(at, 0, prng.pick(vocabulary));
      else if (prng.chance(0.5) && lines.length > 1) lines.splice(at, 1);
      else lines[at] = prng.pick(vocabulary);
    }
    return lines.join('\n');
  };

  it('git apply takes the patches made here and gets the same file', () => {
    for (let round = 0; round < 25; round++) {
      const before = randomText();
      const after = prng.chance(0.7) ? edited(before) : randomText();
      if (before === after) continue;
      fs.writeFileSync(path.join(dir, 'f.txt'), before);
      const patch = formatPatch([makeFilePatch({ oldPath: 'f.txt', newPath: 'f.txt', oldText: before, newText: after })]);
      fs.writeFileSync(path.join(dir, 'made.patch'), patch);
      git('apply', 'made.patch');
      assert.equal(fs.readFileSync(path.join(dir, 'f.txt'), 'utf8'), after, `round ${round}:\n${patch}`);
    }
  });

  it('applies the patches git makes, with renames, additions and deletions', () => {
    for (let round = 0; round < 15; round++) {
      const files: Record<string, string> = { 'a.txt': randomText(), 'dir/b.txt': randomText(), 'gone.txt': 'bye\n', 'moved.txt': 'one\ntwo\nthree\nfour\n' };
      for (const entry of fs.readdirSync(dir)) if (entry !== '.git') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
      git('rm', '-rq', '--cached', '--ignore-unmatch', '.');
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      git('add', '-A');
      git('commit', '-qm', `round ${round}`, '--allow-empty');
      const after: Record<string, string | undefined> = {
        'a.txt': edited(files['a.txt']!),
        'dir/b.txt': edited(files['dir/b.txt']!),
        'gone.txt': undefined,
        'moved.txt': undefined,
        'renamed.txt': 'one\ntwo\nthree\nfour!\n',
        'new file.txt': randomText() || 'x\n',
      };
      for (const [name, text] of Object.entries(after)) {
        if (text === undefined) fs.rmSync(path.join(dir, name));
        else fs.writeFileSync(path.join(dir, name), text);
      }
      git('add', '-A');
      const diff = git('diff', '--cached', '-M');
      const parsed = parsePatch(diff);
      if (!parsed.ok) assert.fail(`round ${round}: line ${parsed.line}: ${parsed.problem}\n${diff}`);
      const outcome = applyPatch(parsed.files, (name) => files[name]);
      if (!outcome.ok) assert.fail(`round ${round}: ${JSON.stringify(outcome.conflicts)}\n${diff}`);
      const result: Record<string, string | undefined> = { ...files };
      for (const file of outcome.files) {
        result[file.path] = file.text;
        if (file.removePath !== undefined) result[file.removePath] = undefined;
      }
      for (const [name, text] of Object.entries(after)) assert.equal(result[name], text, `round ${round}: ${name}\n${diff}`);
      git('commit', '-qm', `round ${round} after`, '--allow-empty');
    }
  });
});
