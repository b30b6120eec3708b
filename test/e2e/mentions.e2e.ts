import * as assert from 'node:assert/strict';
import type { VsCodeHarness } from './harness';
import { aliceAndBob, HeadlessPeer, openConversation } from './team';

/**
 * Mentions and emoji in a real VS Code: alice types `@bo` in #general and takes bob from the
 * autocomplete, `:tad` becomes 🎉, and bob (a headless TeamClient) receives the message with his
 * mention; bob's mention of alice is marked in her panel, and Show Mentions lists it.
 */
describe('e2e Team Messenger: mentions and emoji', function () {
  const team = aliceAndBob({ name: 'mentions' });
  let vscode: VsCodeHarness;
  let bob: HeadlessPeer;
  let aliceId: string;

  before(async function () {
    ({ vscode, bob, aliceId } = await team.connectBob(team.suite));
  });

  it('autocompletes @bob and :tada: in the composer; bob receives the message with his mention', async function () {
    const frame = await openConversation(vscode, '#general');
    await frame.locator('#composer-input').click();
    await vscode.page.keyboard.type('@bo');
    const suggestion = frame.locator('.autocomplete [role="option"]', { hasText: 'bob' });
    await vscode.waitForVisible(suggestion, 'bob suggested after @bo');
    await vscode.screenshot('mentions-1-autocomplete');
    await vscode.page.keyboard.press('Enter');
    await vscode.page.keyboard.type('ship it :tad');
    await vscode.waitForVisible(frame.locator('.autocomplete [role="option"]', { hasText: ':tada:' }), ':tada: suggested');
    await vscode.page.keyboard.press('Enter');
    assert.equal(await frame.locator('#composer-input').inputValue(), '@bob ship it 🎉 ');
    await vscode.page.keyboard.press('Enter');
    const received = await vscode.waitUntil('bob to receive the mention', () => bob.messages.find((m) => m.text === '@bob ship it 🎉'));
    assert.deepEqual(received.mentions, [bob.clientId]);
    await vscode.waitForVisible(frame.locator('#log .message .mention', { hasText: '@bob' }), 'the mention highlighted in alice’s own message');
  });

  it('marks bob’s mention of alice, and Show Mentions lists it', async function () {
    const frame = await openConversation(vscode, '#general');
    await bob.client.send('all', '@alice can you look at the release notes?', { mentions: [aliceId] });
    const marked = frame.locator('#log .message.mentions-self', { hasText: 'release notes' });
    await vscode.waitForVisible(marked, 'the message that mentions alice, marked');
    await vscode.waitForVisible(marked.locator('.mention-self', { hasText: '@alice' }), '@alice highlighted');
    await vscode.screenshot('mentions-2-marked');
    await vscode.runCommand('Team Messenger: Show Mentions');
    await vscode.waitForVisible(frame.locator('#search-results li', { hasText: 'release notes' }), 'the mention in the Mentions list');
    assert.equal(await frame.locator('#search-input').inputValue(), 'is:mention');
    await vscode.screenshot('mentions-3-list');
  });
});
