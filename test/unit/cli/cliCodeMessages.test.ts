import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snippetHash } from '../../../src/model/code/codeLink';
import { CliFixture, runCli } from '../helpers/cliProcess';

/**
 * Issue 28 in the command-line tool, as child processes against a real relay and a real git
 * checkout made by the test: `send --patch FILE|-` and `send --code PATH:L1-L2`, and `listen`
 * printing them (`--json`: as structured objects; in words: the patch's files and counts).
 */
describe('CLI: patches and code links', function () {
  this.timeout(60_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  function checkout(): { dir: string; head: string } {
    const dir = fx.tempDir();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 'bob@example.com');
    git('config', 'user.name', 'bob');
    git('remote', 'add', 'origin', 'git@github.com:Team/App.git');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'const one = 1;\nconst two = 2;\nexport { one, two };\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'const one = 1;\nconst zwei = 2;\nexport { one, zwei };\n');
    fs.writeFileSync(path.join(dir, 'changes.patch'), git('diff'));
    return { dir, head: git('rev-parse', 'HEAD').trim() };
  }

  it('sends --patch and --code; listen --json carries them structured, listen in words names the files', async () => {
    const env = fx.env();
    const relay = await fx.relay(['--port', '0', '--secret', 's', '--plain'], env);
    const common = ['--server', `127.0.0.1:${relay.port}`, '--secret', 's', '--plain'];
    const json = fx.start(['listen', ...common, '--name', 'alice', '--json'], env);
    await json.waitForEvent('connected');
    const words = fx.start(['listen', ...common, '--name', 'carol'], env);
    await words.waitFor('carol to connect', () => words.stdout.includes('connected to'));
    const { dir, head } = checkout();

    const patchFile = path.join(dir, 'changes.patch');
    const sent = await runCli(['send', ...common, '--name', 'bob', '--all', '--patch', patchFile, 'rename two'], env);
    assert.equal(sent.code, 0, sent.stderr);
    const patch = await json.waitForEvent('message', (e) => e.text === 'rename two');
    assert.deepEqual(patch.patch, {
      text: fs.readFileSync(patchFile, 'utf8'),
      files: [{ path: 'src/app.ts', change: 'modified', added: 2, removed: 2 }],
      repositories: ['github.com/team/app'],
      commit: head,
    });
    const line = await words.waitFor('the patch in words', () => words.stdout.split('\n').find((l) => l.includes('rename two')));
    assert.match(line, /bob → everyone: rename two · patch: src\/app\.ts \(\+2 −2\)$/);

    const fromStdin = await runCli(['send', ...common, '--name', 'bob', '--all', '--patch', '-'], env, fs.readFileSync(patchFile, 'utf8'));
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const piped = await json.waitForEvent('message', (e) => e.text === 'Changes to src/app.ts');
    assert.equal((piped.patch as { files: unknown[] }).files.length, 1);

    const code = await runCli(['send', ...common, '--name', 'bob', '--all', '--code', `${path.join(dir, 'src', 'app.ts')}:2-3`], env);
    assert.equal(code.code, 0, code.stderr);
    const shared = await json.waitForEvent('message', (e) => e.code !== undefined);
    assert.equal(shared.text, 'const zwei = 2;\nexport { one, zwei };');
    assert.deepEqual(shared.code, {
      path: 'src/app.ts',
      startLine: 2,
      endLine: 3,
      language: 'typescript',
      repositories: ['github.com/team/app'],
      commit: head,
      snippetHash: snippetHash('const zwei = 2;\nexport { one, zwei };'),
    });
  });

  it('refuses a patch that does not parse, a binary one, and lines a file does not have (exit 2, nothing sent)', async () => {
    const env = fx.env();
    const { dir } = checkout();
    const common = ['--server', '127.0.0.1:1', '--secret', 's', '--plain', '--name', 'bob', '--all'];
    const bad = path.join(dir, 'bad.patch');
    fs.writeFileSync(bad, 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n one\n');
    const binary = path.join(dir, 'binary.patch');
    fs.writeFileSync(binary, 'diff --git a/i.png b/i.png\nindex 1111111..2222222 100644\nBinary files a/i.png and b/i.png differ\n');
    for (const [args, reason] of [
      [['--patch', bad], /the patch cannot be read \(line \d+/],
      [['--patch', binary], /binary files cannot be sent as a patch \(i\.png\)/],
      [['--code', `${path.join(dir, 'src', 'app.ts')}:2-9`], /has 4 lines, not 9/],
      [['--code', 'src/app.ts:3-1'], /comes before the first/],
      [['--patch', bad, '--code', 'a:1'], /one of --patch and --code/],
    ] as const) {
      const result = await runCli(['send', ...common, ...args], env);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, reason);
    }
  });
});
