import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { aliceAndBob, openConversation } from './team';

/**
 * Formatted messages in a real VS Code: bob (a headless client) sends alice markdown with a
 * TypeScript block; her chat shows it coloured in her theme's colours, read by the extension from
 * the theme's own file (Default Dark Modern, then Solarized Light after she switches), with
 * working Copy / Open in Editor, a web link that goes through VS Code's own confirmation, a file
 * link that opens from her workspace, and a command: link that is only text.
 */

const CODE = [
  '// retry with backoff',
  'export async function retry(times: number): Promise<string> {',
  '  const label = "attempt";',
  '  return `${label} ${times}`;',
  '}',
].join('\n');
const MESSAGE = [
  '**Deploy** notes — see [the runbook](https://runbook.example/deploy) and [retry.ts](src/retry.ts#L2).',
  'Not a link: [quit](command:workbench.action.quit)',
  '',
  '```ts',
  CODE,
  '```',
].join('\n');

/** The colour the page computed for the first token span whose text is exactly `text`. */
function tokenColor(frame: FrameLocator, text: string): Promise<string> {
  return frame
    .locator('#log figure.md-code-block pre code span', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) })
    .first()
    .evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
}

describe('e2e Team Messenger: formatted messages and highlighted code', function () {
  const team = aliceAndBob({
    name: 'richtext',
    workspaceFiles: { 'src/retry.ts': `${CODE}\n` },
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });

  it("shows bob's TypeScript block highlighted in the theme's colours, and again in a light theme", async function () {
    const { vscode, bob, aliceId } = await team.connectBob();
    await bob.tell(aliceId, MESSAGE);
    const frame = await openConversation(vscode, 'bob');
    const message = frame.locator('#log .message', { has: frame.locator('figure.md-code-block') }).last();
    await vscode.waitForVisible(message.locator('pre code span').first(), 'the code block, coloured');
    assert.equal(await message.locator('pre code').textContent(), CODE, 'the code is shown as sent');
    assert.equal(await message.locator('strong').textContent(), 'Deploy');
    // Dark Modern includes Dark+ (dark_plus.json → dark_vs.json): comments #6A9955, strings #CE9178, storage.type #569CD6, functions #DCDCAA.
    await vscode.waitUntil('the dark theme colours', async () => (await tokenColor(frame, '// retry with backoff')) === 'rgb(106, 153, 85)');
    assert.equal(await tokenColor(frame, '"attempt"'), 'rgb(206, 145, 120)');
    assert.equal(await tokenColor(frame, 'const'), 'rgb(86, 156, 214)');
    assert.equal(await tokenColor(frame, 'retry'), 'rgb(220, 220, 170)');
    await message.scrollIntoViewIfNeeded();
    await vscode.screenshot('richtext-1-dark-modern');

    // The user switches themes: the extension reads the new one and the block is coloured again.
    await vscode.runCommand('Preferences: Color Theme');
    await vscode.pickQuickInputItem('Solarized Light', undefined, 'Solarized Light');
    // Solarized Light's own file (not the Light+ fallback, whose comments are #008000): comments #93A1A1, strings #2AA198.
    await vscode.waitUntil('the Solarized Light colours', async () => (await tokenColor(frame, '// retry with backoff')) === 'rgb(147, 161, 161)');
    assert.equal(await tokenColor(frame, '"attempt"'), 'rgb(42, 161, 152)');
    await vscode.screenshot('richtext-2-solarized-light');
  });

  it('opens links through the extension: the web after VS Code asks, files from the workspace, command: never', async function () {
    const { vscode } = team;
    const frame = await openConversation(vscode, 'bob');
    const message = frame.locator('#log .message', { has: frame.locator('figure.md-code-block') }).last();
    assert.equal(await message.locator('.md-link[data-href^="command:"]').count(), 0, 'the command: link is not a link');
    assert.match((await message.locator('.md-link-refused').textContent()) ?? '', /quit/);

    await message.locator('.md-link', { hasText: 'retry.ts' }).click();
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: 'retry.ts' }), 'retry.ts opened from the workspace');

    await openConversation(vscode, 'bob');
    await message.locator('.md-link', { hasText: 'the runbook' }).click();
    const dialog = vscode.page.locator('.monaco-dialog-box').filter({ hasText: 'runbook.example' });
    await vscode.waitForVisible(dialog, "VS Code's own question before opening the web site");
    await vscode.screenshot('richtext-3-open-external-asks');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await vscode.waitForHidden(dialog, 'the question to close');

    await message.locator('button.open-snippet').click();
    await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }), 'the code in a new untitled editor');
    await vscode.waitForVisible(vscode.page.locator('.statusbar-item', { hasText: /^TypeScript$/ }), 'the untitled editor in TypeScript');
    await vscode.screenshot('richtext-4-open-in-editor');
  });
});
