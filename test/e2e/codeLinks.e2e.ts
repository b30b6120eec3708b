import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aliceAndBob, clearNotifications, clickNotificationButton, notification, openConversation, peerRow } from './team';

/** The file as bob has it; alice's copy gets lines above or edits, per scenario. */
const BOBS_COPY = [
  '// sample.ts',
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export const answer = add(40, 2);',
  '',
].join('\n');
const SHARED = BOBS_COPY.split('\n').slice(1, 4).join('\n') + '\n';

/**
 * Shared code opened in the receiver's own copy (issue 28): bob (headless) shares lines 2-4 of
 * src/sample.ts; alice (VS Code) has a different copy. Open lands on the lines where they moved,
 * or, when her copy no longer has them, offers the shared snippet beside hers in a diff editor.
 */
describe('e2e Team Messenger: code links', function () {
  const team = aliceAndBob({ name: 'codeLinks', workspaceFiles: { 'src/sample.ts': BOBS_COPY } });

  /** Bob shares lines 2-4 of his copy; alice's chat shows the code block with its Open button. */
  async function bobShares(): Promise<void> {
    const { vscode, bob, aliceId } = await team.connectBob();
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(peerRow(vscode, 'bob', 'online'), 'alice to see bob online');
    await bob.client.send([aliceId], SHARED, { code: { path: 'src/sample.ts', startLine: 2, endLine: 4, language: 'typescript' } });
    await clearNotifications(vscode);
    const frame = await openConversation(vscode, 'bob');
    const open = frame
      .locator('#log .code-block')
      .last()
      .getByRole('button', { name: /^Open src\/sample\.ts/ });
    await vscode.waitForVisible(open, "the shared code's Open button");
    await open.click();
  }

  const writeAlicesCopy = (text: string) => fs.writeFileSync(path.join(team.vscode.workspaceDir, 'src', 'sample.ts'), text);

  it("opens the shared lines where they moved in alice's copy", async function () {
    writeAlicesCopy(`// licence header added by alice\n// and a second line\n${BOBS_COPY}`);
    await bobShares();
    const { vscode } = team;
    // Lines 4-6 selected: the cursor ends on line 6 after "}" (status bar "Ln 6, Col 2 (N selected)").
    const selected = SHARED.length - 1;
    await vscode.waitForVisible(vscode.page.locator('.statusbar-item', { hasText: `Ln 6, Col 2 (${selected} selected)` }), 'lines 4-6 selected in sample.ts');
    await vscode.waitForSteady(
      notification(vscode, 'The shared lines of src/sample.ts are at lines 4–6 in your copy (shared from 2–4).'),
      'the "moved" notification',
    );
    await vscode.screenshot('1-open-lands-on-moved-lines');
  });

  it("offers the shared snippet beside alice's version when her copy no longer has the lines", async function () {
    writeAlicesCopy(BOBS_COPY.replace('  return a + b;', '  return a - b; // changed by alice'));
    await bobShares();
    const { vscode } = team;
    const message = 'Your copy of src/sample.ts no longer has the shared lines; opened your version at lines 2–4.';
    await vscode.waitForSteady(notification(vscode, message), 'the "differs" notification');
    await clickNotificationButton(vscode, message, 'Compare with Shared Snippet');
    const diff = vscode.page.locator('.editor-group-container.active .monaco-diff-editor');
    await vscode.waitForVisible(diff, 'a diff editor with the shared snippet and alice’s lines');
    await vscode.waitForVisible(diff.locator('.line-delete, .char-delete').first(), 'the changed line marked in the diff');
    assert.ok(await vscode.page.locator('.tab', { hasText: 'sample.ts: shared ↔ yours (lines 2–4)' }).count(), 'the diff tab is titled');
    await vscode.screenshot('2-compare-with-shared-snippet');
  });
});
