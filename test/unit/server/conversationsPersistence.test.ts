import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { startRelay, tempDir, useCleanup } from '../helpers/loopback';
import { TeamPeer } from '../helpers/teamPeer';

describe('what the relay owns survives a restart (history folder)', function () {
  const cleanup = useCleanup();

  it('keeps channels, members, read markers, edits, reactions and thread summaries; a deleted text is gone from disk', async function () {
    const dir = tempDir(cleanup);
    const first = await startRelay(cleanup, { historyDir: dir });
    const port = first.address().port;
    const alice = await TeamPeer.connect(cleanup, port, { name: 'alice' });
    const bob = await TeamPeer.connect(cleanup, port, { name: 'bob' });
    const carol = await TeamPeer.connect(cleanup, port, { name: 'carol' });

    const { channel: ops } = await alice.must('channel-result', { t: 'channel-create', name: 'ops', topic: 'on call', members: [bob.clientId] });
    const { channel: secret } = await alice.must('channel-result', { t: 'channel-create', name: 'secret', private: true });
    await alice.must('channel-result', { t: 'channel-update', channel: 'general', topic: 'all hands' });
    const parent = await alice.sent(`#${ops.id}`, 'first version');
    await bob.next('message', (m) => m.id === parent.id);
    const bookmark = { epoch: bob.welcome.epoch, seq: parent.seq };
    const direct = await alice.sent([bob.clientId], 'just us');
    bob.read(peopleKey([alice.clientId, bob.clientId]), direct.seq);
    bob.read(`#${ops.id}`, parent.seq);
    await alice.next('read-state', (r) => r.by === bob.clientId);
    await bob.close();

    await alice.must('done', { t: 'edit', id: parent.id, text: 'second version' });
    await alice.must('done', { t: 'react', id: parent.id, emoji: '🚀', on: true });
    const reply = await alice.sent(`#${ops.id}`, 'a reply', parent.id);
    const doomed = await alice.sent(`#${ops.id}`, 'the password is hunter2');
    await alice.must('done', { t: 'edit', id: doomed.id, text: 'the password is hunter3' });
    await alice.must('done', { t: 'delete', id: doomed.id });
    await alice.close();
    await carol.close();
    await first.stop();

    await startRelay(cleanup, { historyDir: dir, port });
    // The history's log is rewritten at start with each message's latest version.
    for (const file of fs.readdirSync(dir)) {
      assert.doesNotMatch(fs.readFileSync(path.join(dir, file), 'utf8'), /hunter[23]/, `${file} still holds the deleted text`);
    }
    const bob2 = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity, resume: bookmark });
    const state = await bob2.next('team-state');
    const channels = new Map(state.channels.map((c) => [c.name, c]));
    assert.deepEqual([...channels.keys()].sort(), ['general', 'ops'], 'the private channel stays hidden from bob');
    assert.equal(channels.get('ops')?.topic, 'on call');
    assert.deepEqual(channels.get('ops')?.members?.sort(), [alice.clientId, bob.clientId].sort());
    assert.equal(channels.get('general')?.topic, 'all hands');
    assert.deepEqual(
      [...state.reads].sort((a, b) => a.conv.localeCompare(b.conv)),
      [
        { conv: `#${ops.id}`, seq: parent.seq },
        { conv: peopleKey([alice.clientId, bob.clientId]), seq: direct.seq },
      ].sort((a, b) => a.conv.localeCompare(b.conv)),
    );

    // What he missed comes as it is now.
    const changed = await bob2.next('update', (u) => u.message.id === parent.id && u.message.replies !== undefined);
    assert.equal(changed.message.text, 'second version');
    assert.deepEqual(changed.message.reactions, [{ emoji: '🚀', by: [alice.clientId] }]);
    assert.deepEqual(changed.message.replies, { count: 1, lastTs: reply.ts, by: [alice.clientId] });
    const tombstone = await bob2.next('message', (m) => m.id === doomed.id);
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.text, '');

    const page = await bob2.must('history-result', { t: 'history', conv: `#${ops.id}`, limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => [m.text, m.edited !== undefined, m.deleted ?? false]),
      [
        ['second version', true, false],
        ['', false, true],
      ],
    );

    // Alice still finds her private channel, and it is still hers alone.
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const hers = (await alice2.next('team-state')).channels.find((c) => c.id === secret.id);
    assert.deepEqual(hers?.members, [alice.clientId]);
    assert.equal(hers?.private, true);
  });
});
