import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import type { ChannelInfo } from '../../src/net/protocol/conversationMessages';
import type { Update } from '../../src/net/protocol/messages';
import { formatMessageLink } from '../../src/model/messageLinks';
import type { VsCodeHarness } from './harness';
import { aliceAndBob, chat, clickMenuItem, HeadlessPeer, notification, openConversation, shownMessageTexts } from './team';

/**
 * Channels, threads, edits, deletes, reactions, search and scrollback, in a real VS Code: alice
 * drives the UI; bob is a headless TeamClient on the same relay. The store keeps only 10 messages
 * per conversation (teamMessenger.historySize), so anything older comes from the relay.
 */
describe('e2e Team Messenger: channels, threads and search', function () {
  const team = aliceAndBob({ name: 'channels', settings: { 'teamMessenger.historySize': 10 } });
  let vscode: VsCodeHarness;
  let bob: HeadlessPeer;
  let aliceId: string;
  let deploys: ChannelInfo;
  /** bob's first message in #deploys (the thread's parent, the one reacted to). */
  let rolloutId: string;
  const updates: Update[] = [];

  before(async function () {
    ({ vscode, bob, aliceId } = await team.connectBob(team.suite));
    bob.client.on('update', (update) => updates.push(update));
  });

  /** The message row whose text is exactly `text` in the conversation (or the thread pane). */
  function messageRow(frame: FrameLocator, text: string, within = '#log'): Locator {
    return frame.locator(`${within} .message`).filter({ has: frame.locator('.message-text', { hasText: new RegExp(`^${text}`) }) });
  }

  /** The latest version bob has of a message (the live one, or the newest update of it; his own
   *  are known to him only by their updates). */
  function bobsVersion(id: string) {
    const changed = updates.filter((u) => u.message.id === id).at(-1)?.message;
    return changed ?? bob.messages.find((m) => m.id === id);
  }

  async function typeInComposer(frame: FrameLocator, text: string, input = '#composer-input'): Promise<void> {
    await frame.locator(input).click();
    await vscode.page.keyboard.type(text);
    await vscode.page.keyboard.press('Enter');
  }

  it('creates #deploys from the command palette and talks in it with bob', async function () {
    await vscode.runCommand('Team Messenger: Create Channel…');
    const input = vscode.page.locator('.quick-input-widget .quick-input-box input');
    await vscode.waitForVisible(vscode.page.locator('.quick-input-title', { hasText: 'Create Channel (1/3)' }), 'the channel name box');
    await input.fill('Deploys Now');
    await vscode.waitForVisible(vscode.page.locator('.quick-input-message', { hasText: /lowercase/ }), 'the name to be refused as typed');
    await input.fill('deploys');
    await vscode.page.keyboard.press('Enter');
    // The row's label starts with an icon, so it is picked by its text rather than an exact label.
    const publicRow = vscode.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Public' });
    await vscode.waitForVisible(publicRow, 'the Public choice');
    await publicRow.click();
    await vscode.waitForVisible(vscode.page.locator('.quick-input-title', { hasText: /topic/ }), 'the topic box');
    await input.fill('Release train');
    await vscode.page.keyboard.press('Enter');

    deploys = await vscode.waitUntil('bob to find #deploys', async () => (await bob.client.conversations.list()).find((c) => c.name === 'deploys'));
    assert.equal(deploys.topic, 'Release train');
    assert.equal(deploys.private, false);
    await bob.client.conversations.join(deploys.id);

    const frame = chat(vscode);
    await vscode.waitForVisible(frame.locator('.conversation-row[title="#deploys"]'), '#deploys in the chat panel');
    await vscode.waitForVisible(frame.locator('#conversation-header', { hasText: 'Release train' }), 'the topic in the header');
    rolloutId = (await bob.client.send(`#${deploys.id}`, 'v2.4 is rolling out to staging')).id;
    await vscode.waitUntil("bob's channel message in the panel", async () => (await shownMessageTexts(frame)).includes('v2.4 is rolling out to staging'));
    await typeInComposer(frame, 'Staging looks good from here');
    const got = await vscode.waitUntil('bob to get alice’s channel message', () =>
      bob.messages.find((m) => m.from === aliceId && m.text === 'Staging looks good from here'),
    );
    assert.equal(got.to, `#${deploys.id}`, 'sent to the channel, not to bob');
    await vscode.openActivityBarItem('Team Messenger');
    await vscode.waitForVisible(vscode.listRow(/^#deploys/), '#deploys in the Peers view');
    await vscode.screenshot('channels-1-talk-in-deploys');
  });

  it('replies in a thread: the pane opens beside the conversation, bob gets the reply, the parent counts them', async function () {
    const frame = await openConversation(vscode, '#deploys');
    const parent = messageRow(frame, 'v2.4 is rolling out to staging');
    await parent.hover();
    await parent.getByRole('button', { name: 'Reply in thread' }).click();
    await vscode.waitForVisible(frame.locator('#thread-pane'), 'the thread pane');
    await typeInComposer(frame, 'Any migrations in this one?', '#thread-input');
    const parentId = rolloutId;
    const reply = await vscode.waitUntil('bob to get the reply', () => bob.messages.find((m) => m.text === 'Any migrations in this one?'));
    assert.equal(reply.thread, parentId, 'a reply in the thread of bob’s message');
    await bob.client.send(`#${deploys.id}`, 'One, backwards compatible', { thread: parentId });
    await vscode.waitForVisible(frame.locator('#thread-replies .message-text', { hasText: 'One, backwards compatible' }), "bob's reply in the pane");
    await vscode.waitForVisible(parent.locator('.thread-count', { hasText: '2 replies' }), 'the parent to count 2 replies');
    assert.ok(!(await shownMessageTexts(frame)).includes('One, backwards compatible'), 'replies stay in the thread');
    await vscode.screenshot('channels-2-thread-beside-conversation');
    await frame.locator('#thread-close').click();
  });

  it('edits the last message with Up, deletes one with its toolbar; bob sees both live', async function () {
    const frame = await openConversation(vscode, '#deploys');
    await typeInComposer(frame, 'Prod at 16:00 today');
    const sent = await vscode.waitUntil('bob to get the message to edit', () => bob.messages.find((m) => m.text === 'Prod at 16:00 today'));
    await frame.locator('#composer-input').click();
    await vscode.page.keyboard.press('ArrowUp');
    const editor = frame.locator('.inline-editor-input');
    await vscode.waitForVisible(editor, 'the inline editor on the last own message');
    await editor.fill('Prod at 17:00 today');
    await vscode.page.keyboard.press('Enter');
    await vscode.waitUntil('bob to see the edit', () => bobsVersion(sent.id)?.text === 'Prod at 17:00 today' && bobsVersion(sent.id)?.edited !== undefined);
    await vscode.waitForVisible(messageRow(frame, 'Prod at 17:00 today').locator('.edited'), '"(edited)" on the message');

    await typeInComposer(frame, 'oops, wrong channel');
    const wrong = await vscode.waitUntil('bob to get the message to delete', () => bob.messages.find((m) => m.text === 'oops, wrong channel'));
    const row = messageRow(frame, 'oops, wrong channel');
    await row.hover();
    await row.getByRole('button', { name: 'Delete message' }).click();
    await frame.locator('#confirm-ok').click();
    await vscode.waitUntil('bob to see the delete', () => bobsVersion(wrong.id)?.deleted === true);
    assert.equal(bobsVersion(wrong.id)?.text, '', 'the text is gone, not only hidden');
    await vscode.waitForVisible(frame.locator('#log .message.deleted .tombstone'), 'a tombstone where the message was');
    await vscode.screenshot('channels-3-edited-and-deleted');
  });

  it('reacts with the picker, and shows bob’s reaction with a count', async function () {
    const frame = await openConversation(vscode, '#deploys');
    const target = { id: rolloutId };
    const row = messageRow(frame, 'v2.4 is rolling out to staging');
    await row.hover();
    await row.locator('.message-toolbar').getByRole('button', { name: 'Add reaction' }).click();
    await frame.getByRole('button', { name: /React with rocket/ }).click();
    await vscode.waitUntil('bob to see the 🚀', () => bobsVersion(target.id)?.reactions?.some((r) => r.emoji === '🚀' && r.by.includes(aliceId)));
    await bob.client.conversations.react(target.id, '🚀', true);
    const reaction = row.locator('.reaction', { hasText: '🚀' });
    await vscode.waitForVisible(reaction.locator('.reaction-count', { hasText: '2' }), 'the 🚀 to count alice and bob');
    assert.match((await reaction.getAttribute('aria-label')) ?? '', /alice|you/i);
    assert.match((await reaction.getAttribute('aria-label')) ?? '', /bob/);
    await vscode.screenshot('channels-4-reactions');
  });

  it('scrolls back past what the editor keeps: older messages come from the relay', async function () {
    for (let i = 1; i <= 120; i++) await bob.client.send(`#${deploys.id}`, `backlog ${String(i).padStart(3, '0')}`);
    const frame = await openConversation(vscode, '#deploys');
    await vscode.waitUntil('the newest backlog message', async () => (await shownMessageTexts(frame)).includes('backlog 120'));
    const first = frame.locator('#log .message-text', { hasText: /^backlog 001$/ });
    await vscode.waitUntil('backlog 001, loaded from the relay page by page', async () => {
      if (await first.isVisible()) return true;
      await frame.locator('#messages').evaluate((el) => el.scrollTo(0, 0));
      return false;
    });
    const elements = await frame.locator('#log .message').count();
    assert.ok(elements < 500, `the list keeps few message elements in the DOM (${elements})`);
    await vscode.screenshot('channels-5-scrolled-back-past-the-local-cache');
  });

  it('searches from the command palette and jumps to the hit', async function () {
    await bob.client.send(`#${deploys.id}`, 'the quartz canary flag is on');
    for (let i = 1; i <= 30; i++) await bob.client.send(`#${deploys.id}`, `filler after the needle ${i}`);
    await vscode.runCommand('Team Messenger: Search Messages…');
    const frame = chat(vscode);
    const box = frame.locator('#search-input');
    await vscode.waitForVisible(box, 'the search pane');
    await box.fill('quartz in:#deploys from:bob');
    await vscode.page.keyboard.press('Enter');
    const hit = frame.locator('.search-hit', { hasText: 'the quartz canary flag is on' });
    await vscode.waitForVisible(hit, 'the hit in the search pane');
    assert.equal(await frame.locator('.search-hit').count(), 1, 'one message matches');
    await vscode.screenshot('channels-6-search-results');
    await hit.click();
    await vscode.waitForVisible(frame.locator('#log .message.highlight', { hasText: 'the quartz canary flag is on' }), 'the message, highlighted, in #deploys');
    await vscode.screenshot('channels-7-jumped-to-the-hit');
  });

  it('opens a link to a message (Developer: Open URL) on that message, fetched from the relay', async function () {
    // The chat shows another conversation first; the message is far beyond the 10 kept locally.
    await openConversation(vscode, 'bob');
    const link = formatMessageLink({ key: `#${deploys.id}`, messageId: rolloutId }, 'code-oss');
    await vscode.runCommand('Developer: Open URL');
    const input = vscode.page.locator('.quick-input-widget .quick-input-box input');
    await vscode.waitForVisible(input, 'the Open URL box');
    await input.fill(link);
    await input.press('Enter');
    const dialog = vscode.page.locator('.monaco-dialog-box');
    await vscode.waitForVisible(dialog.filter({ hasText: 'Team Messenger' }), "VS Code's question whether Team Messenger may open the link");
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    const frame = chat(vscode);
    await vscode.waitForVisible(
      frame.locator('#log .message.highlight', { hasText: 'v2.4 is rolling out to staging' }),
      'the linked message, highlighted, in #deploys',
    );
    await vscode.screenshot('channels-8-opened-a-message-link');
  });

  it('offers Archive… on the channels alice created only; Unarchive Channel… opens #deploys again', async function () {
    await bob.client.conversations.create('bobs-corner', { members: [aliceId] });
    await vscode.openActivityBarItem('Team Messenger');
    const bobs = vscode.listRow(/^#bobs-corner/);
    await vscode.waitForVisible(bobs, '#bobs-corner in the Peers view');
    await bobs.click({ button: 'right' });
    await vscode.waitForVisible(vscode.page.getByRole('menuitem', { name: /^Leave Channel/ }), "#bobs-corner's menu");
    assert.equal(await vscode.page.getByRole('menuitem', { name: /^Archive Channel/ }).count(), 0, 'bob created it: no Archive for alice');
    await vscode.page.keyboard.press('Escape');

    const row = vscode.listRow(/^#deploys/);
    await row.click({ button: 'right' });
    await clickMenuItem(vscode, 'Archive Channel…');
    const dialog = vscode.page.locator('.monaco-dialog-box');
    await vscode.waitForVisible(dialog.filter({ hasText: 'Archive #deploys?' }), 'the question whether to archive');
    await dialog.getByRole('button', { name: 'Archive', exact: true }).click();
    const relaySays = async () => (await bob.client.conversations.list()).find((c) => c.id === deploys.id);
    await vscode.waitUntil('#deploys archived on the relay', async () => (await relaySays())?.archived === true);
    await vscode.waitForHidden(row, '#deploys to leave the Channels section');

    await vscode.runCommand('Team Messenger: Unarchive Channel…');
    const picker = vscode.page.locator('.quick-input-widget');
    await vscode.waitForVisible(picker.locator('.quick-input-title', { hasText: 'Unarchive Channel' }), 'the Unarchive picker');
    const choice = picker.locator('.quick-input-list .monaco-list-row', { hasText: '#deploys' });
    await vscode.waitForVisible(choice, '#deploys to pick');
    assert.equal(await picker.locator('.quick-input-list .monaco-list-row').count(), 1, 'only the archived channel alice created');
    await vscode.screenshot('channels-9-unarchive-picker');
    await choice.click();
    await vscode.waitUntil('#deploys open again on the relay', async () => (await relaySays())?.archived === false);
    await vscode.waitForVisible(notification(vscode, '#deploys is open again'), 'the notice that it is open again');
    await vscode.waitForVisible(vscode.listRow(/^#deploys/), '#deploys back in the Channels section');
    await vscode.screenshot('channels-10-unarchived');
  });
});
