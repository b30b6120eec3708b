import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describePlan, outgoingPatchProblem, PatchPorts, planPatch, ReadResult } from '../../../src/extension/gitPatches';
import { gitBlob, gitDiff, gitMergeFile } from '../../../src/extension/gitProcess';

/** The files a patch names. */
const parsedPaths = (patch: string) => [...patch.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);

const ORIGINAL = Array.from({ length: 30 }, (_, i) => `export const v${i + 1} = ${i + 1};`).join('\n') + '\n';

/** Patches made by real git in a real repository, applied the way the chat's Apply does. */
describe('patches planned against a checkout (real git repository)', function () {
  let base: string;
  let repo: string;
  let workspace: string[];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  const file = (name: string) => path.join(repo, name);

  const ports = (withGit = true): PatchPorts => ({
    workspaceFolders: () => workspace,
    realPath: (p) => fs.promises.realpath(p).catch(() => undefined),
    read: async (p): Promise<ReadResult> => {
      try {
        const text = await fs.promises.readFile(p, 'utf8');
        return text.includes('\u0000') ? { kind: 'unreadable', why: 'a binary file' } : { kind: 'text', text };
      } catch {
        return { kind: 'missing' };
      }
    },
    ...(withGit
      ? { blob: (root: string, id: string) => gitBlob('git', root, id), merge: (o: string, b: string, t: string) => gitMergeFile('git', o, b, t) }
      : {}),
  });

  /** Bob's change as `git diff` gives it; the working tree is back at HEAD afterwards. */
  const bobsPatch = (edit: (text: string) => string, name = 'src/values.ts'): string => {
    fs.writeFileSync(file(name), edit(fs.readFileSync(file(name), 'utf8')));
    const patch = git('diff');
    git('checkout', '--', '.');
    return patch;
  };

  before(function () {
    try {
      execFileSync('git', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // the merge needs git; the planner's other paths are covered without it below
    }
  });

  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-patches-')));
    repo = path.join(base, 'app');
    fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
    fs.mkdirSync(path.join(base, 'outside'));
    workspace = [repo];
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    git('config', 'core.autocrlf', 'false');
    fs.writeFileSync(file('src/values.ts'), ORIGINAL);
    git('add', '-A');
    git('commit', '-qm', 'start');
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('applies a clean patch: the file then matches the sender’s', async () => {
    const patch = bobsPatch((t) => t.replace('v10 = 10', 'v10 = 100'));
    const plan = await planPatch(patch, repo, ports());
    assert.ok(plan.ok, describePlan(plan).join('\n'));
    assert.deepEqual(
      plan.files.map((f) => [f.file, f.merged]),
      [[file('src/values.ts'), false]],
    );
    assert.equal(plan.files[0]!.text, ORIGINAL.replace('v10 = 10', 'v10 = 100'));
    assert.deepEqual(describePlan(plan), ['Applied 1 file (+1 −1).', 'changed src/values.ts']);
  });

  it("sends bob's changes from his clone (git diff HEAD) and alice's copy then matches his", async () => {
    const bobs = path.join(base, 'bob');
    execFileSync('git', ['clone', '-q', repo, bobs]);
    const edited = ORIGINAL.replace('v3 = 3', 'v3 = 33').replace('v20 = 20', 'v20 = 200');
    fs.writeFileSync(path.join(bobs, 'src', 'values.ts'), edited);
    fs.writeFileSync(path.join(bobs, 'src', 'staged.ts'), 'export const staged = true;\n');
    execFileSync('git', ['add', 'src/staged.ts'], { cwd: bobs });
    const all = await gitDiff('git', bobs, { staged: false });
    assert.equal(outgoingPatchProblem(all, 100_000), undefined);
    const plan = await planPatch(all, repo, ports());
    assert.ok(plan.ok, describePlan(plan).join('\n'));
    assert.deepEqual(
      plan.files.map((f) => [f.path, f.text]),
      [
        ['src/staged.ts', 'export const staged = true;\n'],
        ['src/values.ts', edited],
      ],
    );
    const staged = await gitDiff('git', bobs, { staged: true, paths: ['src'] });
    assert.deepEqual(parsedPaths(staged), ['src/staged.ts'], 'only what bob staged');
    await assert.rejects(gitDiff('git', base, { staged: false }), /git diff failed/);
  });

  it('merges three ways when the receiver edited next to the change (git apply --3way)', async () => {
    const patch = bobsPatch((t) => t.replace('v10 = 10', 'v10 = 100'));
    fs.writeFileSync(file('src/values.ts'), ORIGINAL.replace('v7 = 7', 'v7 = 77'));
    const withoutGit = await planPatch(patch, repo, ports(false));
    assert.ok(!withoutGit.ok);
    assert.equal(withoutGit.conflicts[0]!.reason, 'mismatch');
    const plan = await planPatch(patch, repo, ports());
    assert.ok(plan.ok, describePlan(plan).join('\n'));
    assert.equal(plan.files[0]!.text, ORIGINAL.replace('v7 = 7', 'v7 = 77').replace('v10 = 10', 'v10 = 100'));
    assert.ok(plan.files[0]!.merged);
    assert.match(describePlan(plan)[0]!, /1 merged three-way/);
  });

  it('reports a real conflict and plans no change at all', async () => {
    const patch = bobsPatch((t) => t.replace('v10 = 10', 'v10 = 100').replace('v25 = 25', 'v25 = 250'));
    fs.writeFileSync(file('src/values.ts'), ORIGINAL.replace('v10 = 10', 'v10 = -10'));
    const plan = await planPatch(patch, repo, ports());
    assert.ok(!plan.ok);
    assert.deepEqual(plan.conflicts, [{ path: 'src/values.ts', reason: 'merge-conflict', places: 1 }]);
    assert.deepEqual(describePlan(plan), ['Nothing was changed:', 'src/values.ts: the changes conflict with yours in 1 place']);
  });

  it('applies additions, deletions and renames together, or none of them', async () => {
    fs.writeFileSync(file('src/old.ts'), 'export const old = 1;\n');
    fs.writeFileSync(file('src/gone.ts'), 'bye\n');
    git('add', '-A');
    git('commit', '-qm', 'more');
    fs.writeFileSync(file('src/new.ts'), 'export const fresh = 2;\n');
    git('mv', 'src/old.ts', 'src/renamed.ts');
    git('rm', '-q', 'src/gone.ts');
    git('add', '-A');
    const patch = git('diff', '--cached', '-M');
    git('reset', '-q', '--hard');
    const plan = await planPatch(patch, repo, ports());
    assert.ok(plan.ok, describePlan(plan).join('\n'));
    assert.deepEqual(
      plan.files.map((f) => [f.path, f.change, f.text, f.removeFile]),
      [
        ['src/gone.ts', 'deleted', undefined, undefined],
        ['src/new.ts', 'added', 'export const fresh = 2;\n', undefined],
        ['src/renamed.ts', 'renamed', 'export const old = 1;\n', file('src/old.ts')],
      ],
    );
    fs.writeFileSync(file('src/new.ts'), 'mine\n');
    const clash = await planPatch(patch, repo, ports());
    assert.ok(!clash.ok);
    assert.deepEqual(clash.conflicts, [{ path: 'src/new.ts', reason: 'exists' }]);
    assert.deepEqual(clash.applicable, ['src/gone.ts', 'src/renamed.ts']);
  });

  it('refuses a patch that writes through a symbolic link out of the workspace', async () => {
    fs.symlinkSync(path.join(base, 'outside'), file('linked'));
    const patch = [
      'diff --git a/linked/x.sh b/linked/x.sh',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/linked/x.sh',
      '@@ -0,0 +1 @@',
      '+echo owned',
      '',
    ].join('\n');
    const plan = await planPatch(patch, repo, ports());
    assert.ok(!plan.ok);
    assert.deepEqual(plan.conflicts, [{ path: 'linked/x.sh', reason: 'unsafe-path', problem: 'it leads outside the workspace' }]);
    const escape = ['--- a/../outside/y', '+++ b/../outside/y', '@@ -0,0 +1 @@', '+x', ''].join('\n');
    const escaped = await planPatch(escape, repo, ports());
    assert.ok(!escaped.ok);
    assert.equal(escaped.conflicts[0]!.reason, 'unsafe-path');
    assert.deepEqual(fs.readdirSync(path.join(base, 'outside')), [], 'nothing was written');
  });

  it('refuses binary files in place, a checkout not open here, and unreadable patches', async () => {
    fs.writeFileSync(file('src/values.ts'), 'a\u0000b');
    const patch = ['--- a/src/values.ts', '+++ b/src/values.ts', '@@ -1 +1 @@', '-a', '+b', ''].join('\n');
    const binary = await planPatch(patch, repo, ports());
    assert.ok(!binary.ok);
    assert.deepEqual(binary.conflicts, [{ path: 'src/values.ts', reason: 'unreadable', problem: 'a binary file' }]);
    workspace = [path.join(base, 'outside')];
    assert.deepEqual(await planPatch(patch, repo, ports()), { ok: false, problem: 'that checkout is not open in this window', conflicts: [], applicable: [] });
    const garbled = await planPatch('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n', repo, ports());
    assert.ok(!garbled.ok);
    assert.match(describePlan(garbled)[0]!, /^Nothing was changed: the patch cannot be read \(line 5: the hunk at line 3 ends early/);
  });

  it('says why changes cannot be sent: none, too big, binary', () => {
    assert.equal(outgoingPatchProblem('', 1000), 'there are no changes to send');
    assert.match(outgoingPatchProblem('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 10)!, /too big to send in a message \(\d+ characters; the limit is 10\)/);
    const binary = ['diff --git a/logo.png b/logo.png', 'index bdc955b..8835708 100644', 'Binary files a/logo.png and b/logo.png differ', ''].join('\n');
    assert.equal(outgoingPatchProblem(binary, 10_000), 'binary files cannot be sent as changes (logo.png): send them as files');
    assert.equal(outgoingPatchProblem('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 10_000), undefined);
  });
});
