import * as assert from 'node:assert/strict';
import type { VsCodeHarness } from './harness';
import { aliceAndBob, clearNotifications, clickMenuItem, HeadlessPeer, notification, openConversation, peerRow } from './team';

/**
 * Notifications that respect focus, in a real VS Code: alice mutes her conversation with bob (a
 * headless TeamClient) from the Peers view; bob's chatter stays quiet, his @mention of her still
 * notifies. Then Do Not Disturb from the status bar: only an urgent message gets through, and the
 * rest comes as one summary when she is Available again. Last, #general muted from the chat
 * header: @channel stays quiet, a mention of her by name does not.
 */
describe('e2e Team Messenger: notifications that respect focus', function () {
  // Typing in the test's own editors must not hold notifications: quiet-while-typing off.
  const team = aliceAndBob({ name: 'notifications', settings: { 'teamMessenger.notifications.quietWhileTypingSeconds': 0 } });
  let vscode: VsCodeHarness;
  let bob: HeadlessPeer;
  let aliceId: string;

  before(async function () {
    ({ vscode, bob, aliceId } = await team.connectBob(team.suite));
  });

  /** Picks the row of the open quick pick whose text contains `text` (labels start with an icon). */
  async function pickRow(title: string, text: string): Promise<void> {
    await vscode.waitForVisible(vscode.page.locator('.quick-input-title', { hasText: title }), `the "${title}" pick`);
    const row = vscode.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await vscode.waitForVisible(row, `"${text}" in the pick`);
    await row.click();
    await vscode.waitForHidden(vscode.page.locator('.quick-input-widget'), `the "${title}" pick to close`);
  }

  it('an @mention of alice in the conversation she muted still notifies her', async function () {
    await bob.tell(aliceId, 'hi alice');
    await vscode.waitForSteady(notification(vscode, 'bob: hi alice'), 'the first message to notify (direct messages: all)');
    await clearNotifications(vscode);

    await vscode.openActivityBarItem('Team Messenger');
    const row = peerRow(vscode, 'bob', 'online', 1);
    await vscode.waitForVisible(row, "bob's row in the Peers view");
    await row.click({ button: 'right' });
    await clickMenuItem(vscode, 'Notifications…');
    await pickRow('Notifications for bob', 'Mute');

    await bob.tell(aliceId, 'just chatter, nothing for you');
    await bob.client.send([aliceId], '@alice can you review the hotfix?', { mentions: [aliceId] });
    const mention = notification(vscode, 'bob: @alice can you review the hotfix?');
    await vscode.waitForSteady(mention, 'the mention to notify in the muted conversation');
    // Messages arrive in order: the chatter was decided on before the mention showed.
    assert.equal(await notification(vscode, 'just chatter').count(), 0, 'the muted chatter did not notify');
    await vscode.screenshot('1-mention-in-muted-conversation');
    await clearNotifications(vscode);
  });

  it('Do Not Disturb from the status bar: only urgent messages notify, the rest comes as a summary', async function () {
    const focusItem = vscode.page.locator(`.part.statusbar .statusbar-item[id="${vscode.extension.id}.teamMessenger.focus"]`);
    await vscode.waitForVisible(focusItem, 'the status item');
    await focusItem.click();
    await pickRow('Set Status', 'Do Not Disturb');
    await vscode.waitForVisible(focusItem.filter({ hasText: 'Do Not Disturb' }), 'the status bar to say Do Not Disturb');
    await vscode.waitUntil('bob to see alice as Do Not Disturb', () =>
      [...bob.client.peers.values()].some((p) => p.clientId === aliceId && p.status === 'dnd'),
    );

    // The conversation is muted (the scenario before): a mention is what would notify, and DND holds it.
    await bob.client.send([aliceId], '@alice lunch?', { mentions: [aliceId] });
    await bob.client.send([aliceId], '@alice the build is red', { mentions: [aliceId] });
    await bob.client.send([aliceId], 'prod is down', { urgent: true });
    await vscode.waitForSteady(notification(vscode, 'Urgent from bob: prod is down'), 'the urgent message to get through');
    assert.equal(await notification(vscode, 'lunch?').count(), 0, 'the mention is held');
    await vscode.waitForVisible(focusItem.filter({ hasText: '2 held' }), 'the status bar to count the held messages');
    await vscode.screenshot('2-do-not-disturb-urgent-only');
    await clearNotifications(vscode);

    await focusItem.click();
    await pickRow('Set Status', 'Available');
    await vscode.waitForSteady(notification(vscode, 'While Do Not Disturb was on: 2 from bob'), 'the summary');
    await vscode.screenshot('3-summary-after-do-not-disturb');
    await clearNotifications(vscode);
  });

  it("the chat header's Notifications… mutes #general: @channel stays quiet there, a mention of alice does not", async function () {
    const frame = await openConversation(vscode, '#general');
    // Channels notify on mentions only unless set otherwise: the bell says so.
    await frame.locator('#conversation-header button[aria-label="Notifications: Mentions Only"]').click();
    await vscode.waitForVisible(vscode.page.locator('.quick-input-title', { hasText: 'Notifications for #general' }), 'the pick for #general');
    await vscode.screenshot('4-header-notifications-pick');
    await pickRow('Notifications for #general', 'Mute');
    await vscode.waitForVisible(frame.locator('#conversation-header button[aria-label="Notifications: Muted"]'), 'the bell to say Muted');
    // Looking at another conversation: #general is not on screen, so its messages are news.
    await openConversation(vscode, 'bob');
    await bob.client.send('all', '@channel standup in 5', { mentions: ['channel'] });
    await bob.client.send('all', '@alice you are presenting', { mentions: [aliceId] });
    await vscode.waitForSteady(notification(vscode, 'bob: @alice you are presenting'), 'the mention in muted #general to notify');
    assert.equal(await notification(vscode, 'standup in 5').count(), 0, '@channel in a muted channel does not notify');
    await vscode.screenshot('5-mention-in-muted-channel');
    await clearNotifications(vscode);
  });
});
