import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aliceAndBob, clickMenuItem, peerRow, pickPeers, tempDir } from './team';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/**
 * "Send Changes to Peer…" on the Source Control view's Staged Changes group (issue 28): only what
 * is staged goes, not the other edits in the working tree, and the patch applies to a checkout at
 * the same commit with git itself.
 */
describe('e2e Team Messenger: send staged changes', function () {
  const team = aliceAndBob({
    name: 'send-staged',
    workspaceFiles: { 'src/app.ts': 'export const answer = 41;\n', 'notes.md': '# Notes\n' },
  });

  before(async function () {
    const { vscode } = team;
    const dir = vscode.workspaceDir;
    git(dir, 'init', '-q');
    git(dir, 'config', 'user.email', 'alice@example.com');
    git(dir, 'config', 'user.name', 'alice');
    git(dir, 'remote', 'add', 'origin', 'git@github.com:Team/Staged.git');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'start');
    const branch = git(dir, 'branch', '--show-current').trim();
    await vscode.waitForVisible(
      vscode.page.locator('.statusbar-item', { hasText: new RegExp(`^\\s*${branch}\\s*$`) }).first(),
      `the branch ${branch} in the status bar`,
    );
  });

  it('sends only the staged file’s changes, with the repository and commit, and they apply with git', async function () {
    const { vscode, bob, aliceId } = await team.connectBob();
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'alice to see bob online');
    const dir = vscode.workspaceDir;
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'export const answer = 42;\n');
    git(dir, 'add', 'src/app.ts');
    fs.writeFileSync(path.join(dir, 'notes.md'), '# Notes\n\nNot staged, not sent.\n');

    await vscode.openActivityBarItem('Source Control');
    const staged = vscode.page.locator('.part.sidebar .monaco-list-row', { hasText: 'Staged Changes' }).first();
    await vscode.waitForVisible(staged, 'the Staged Changes group');
    await vscode.waitForVisible(vscode.page.locator('.part.sidebar .monaco-list-row', { hasText: 'notes.md' }).first(), 'notes.md among the changes');
    // The activity bar's hover ("Source Control … pending changes") would take the click: the mouse leaves it first.
    await vscode.page.mouse.move(700, 500);
    await vscode.page.locator('.context-view .hover-contents').waitFor({ state: 'hidden' });
    await staged.click({ button: 'right' });
    await clickMenuItem(vscode, 'Send Changes to Peer…');
    await pickPeers(vscode, 'Send Changes to…', ['bob']);

    const got = await vscode.waitUntil('bob to receive the staged changes', () => bob.messages.find((m) => m.from === aliceId && m.patch));
    assert.equal(got.text, 'Staged changes to src/app.ts');
    assert.deepEqual(got.patch!.files, [{ path: 'src/app.ts', change: 'modified', added: 1, removed: 1 }], 'the staged file only');
    assert.deepEqual([got.patch!.repositories, got.patch!.commit], [['github.com/team/staged'], head]);
    assert.doesNotMatch(got.patch!.text, /Not staged/);
    await vscode.screenshot('1-staged-changes-sent');

    // A checkout at the same commit takes the patch with git itself.
    const clone = path.join(tempDir(team.scenario, 'staged'), 'clone');
    git(path.dirname(clone), 'clone', '-q', dir, clone);
    git(clone, 'checkout', '-q', head);
    fs.writeFileSync(path.join(clone, 'staged.patch'), got.patch!.text);
    git(clone, 'apply', 'staged.patch');
    assert.equal(fs.readFileSync(path.join(clone, 'src', 'app.ts'), 'utf8'), 'export const answer = 42;\n');
    await vscode.openActivityBarItem('Team Messenger');
  });
});
