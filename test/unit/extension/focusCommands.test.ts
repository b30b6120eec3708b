import { strict as assert } from 'node:assert';
import { registerCommands } from '../../../src/extension/commands';
import { conversationOf } from '../../../src/extension/focusCommands';
import { context, Fakes } from './commandFakes';

const BOB = 'B'.repeat(22);

describe('status and notification commands', () => {
  it('Set Status… offers the four statuses, the current one said, and keeps the one picked', async () => {
    const fakes = new Fakes();
    const { c, calls, status } = context();
    registerCommands(c, fakes.ports());
    fakes.picks.push('Do Not Disturb');
    await fakes.run('teamMessenger.setStatus');
    assert.deepEqual(
      fakes.quickPicks[0].map((label) => label.replace(/^\$\([\w-]+\) /, '')),
      ['Available', 'Away', 'Busy', 'Do Not Disturb'],
    );
    assert.equal(status.chosen, 'dnd');
    assert.deepEqual(calls, ['status dnd'], 'told to the relay');
    fakes.picks.push(undefined);
    await fakes.run('teamMessenger.setStatus');
    assert.equal(status.chosen, 'dnd', 'cancelled: unchanged');
  });

  it("Notifications… on a channel's row sets its level; Default forgets it", async () => {
    const fakes = new Fakes();
    const { c, levels } = context();
    registerCommands(c, fakes.ports());
    fakes.picks.push('Mute');
    await fakes.run('teamMessenger.conversationNotifications', { channelId: 'deploys', conversationId: 'channel:deploys', name: 'deploys' });
    assert.equal(levels.get('channel:deploys'), 'muted');
    assert.deepEqual(
      fakes.quickPicks[0].map((label) => label.replace(/^\$\([\w-]+\) /, '')),
      ['All Messages', 'Mentions Only', 'Mute', 'Default'],
    );
    fakes.picks.push('Default');
    await fakes.run('teamMessenger.conversationNotifications', 'channel:deploys');
    assert.equal(levels.get('channel:deploys'), undefined);
  });

  it("Notifications… on a person's row, or without a conversation: says where to find it", async () => {
    const fakes = new Fakes();
    const { c, levels } = context();
    registerCommands(c, fakes.ports());
    fakes.picks.push('Mentions Only');
    await fakes.run('teamMessenger.conversationNotifications', { kind: 'peer', clientId: BOB, conversationId: `peer:${BOB}` });
    assert.equal(levels.get(`peer:${BOB}`), 'mentions');
    await fakes.run('teamMessenger.conversationNotifications');
    assert.match(fakes.shown.at(-1)?.message ?? '', /chat header or on a row of the Peers view/);
    assert.equal(fakes.quickPicks.length, 1, 'no pick without a conversation');
  });

  it('Send Urgent Message… on a row: asks for the text and sends it marked urgent; an empty one is refused', async () => {
    const fakes = new Fakes();
    const { c, calls } = context({ state: 'connected' });
    registerCommands(c, fakes.ports());
    fakes.inputs.push('prod is down');
    await fakes.run('teamMessenger.sendUrgentMessage', { conversationId: 'channel:deploys' });
    assert.deepEqual(calls, ['urgent channel:deploys prod is down']);
    assert.equal(fakes.inputBoxes[0].validateInput?.('   '), 'Say what cannot wait.');
    fakes.inputs.push(undefined);
    await fakes.run('teamMessenger.sendUrgentMessage', { conversationId: 'channel:deploys' });
    assert.equal(calls.length, 1, 'cancelled: nothing sent');
  });

  it('Send Urgent Message… before any connection: says it was not sent', async () => {
    const fakes = new Fakes();
    const { c } = context();
    registerCommands(c, fakes.ports());
    fakes.inputs.push('prod is down');
    await fakes.run('teamMessenger.sendUrgentMessage', 'all');
    assert.match(fakes.shown.at(-1)?.message ?? '', /Not sent/);
  });

  it('reads a conversation from a row or an id, nothing else', () => {
    assert.equal(conversationOf('all'), 'all');
    assert.equal(conversationOf({ conversationId: 'channel:x' }), 'channel:x');
    assert.equal(conversationOf({ conversationId: 42 }), undefined);
    assert.equal(conversationOf('rm -rf'), undefined);
    assert.equal(conversationOf(undefined), undefined);
  });
});
