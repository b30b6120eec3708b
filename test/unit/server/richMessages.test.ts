import { strict as assert } from 'node:assert';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../src/net/protocol/errors';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { useCleanup } from '../helpers/loopback';
import { bobAfterRestart, startTeam, startTeamBobAway, TeamPeer } from '../helpers/teamPeer';

/**
 * Issue 27 on the relay, over loopback and the wire protocol only: mentions, urgency and
 * attachments stay with a stored message wherever it goes (live, replay, pages, search, edits,
 * a restart), `is:mention` / `has:image` / `has:file` find them, and a request for an
 * attachment reaches its author only from someone who may read the message.
 */

const SHA = 'ab'.repeat(32);
const IMAGE: Attachment = {
  id: 'img1',
  kind: 'image',
  name: 'screenshot.png',
  size: 48_213,
  mime: 'image/png',
  sha256: SHA,
  width: 1280,
  height: 720,
  thumb: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  thumbMime: 'image/png',
};
const REPORT: Attachment = { id: 'doc1', kind: 'file', name: 'quarterly-report.pdf', size: 9000, mime: 'application/pdf', sha256: 'cd'.repeat(32) };

describe('rich messages on the relay (mentions, urgent, attachments)', function () {
  const cleanup = useCleanup();

  it('keeps mentions (once each), urgency and attachments live, on the other connections, in pages, replays and search hits', async function () {
    const { alice, alice2, bob, bobReturns } = await startTeamBobAway(cleanup);
    const ack = await alice.sendWith([bob.clientId], 'look at this', {
      mentions: [bob.clientId, 'here', bob.clientId],
      urgent: true,
      attachments: [IMAGE, REPORT],
    });
    assert.equal(ack.t, 'ack', JSON.stringify(ack));
    const expected = { mentions: [bob.clientId, 'here'], urgent: true, attachments: [IMAGE, REPORT] };
    const own = await alice2.next('message', (m) => m.text === 'look at this');
    assert.deepEqual({ mentions: own.mentions, urgent: own.urgent, attachments: own.attachments }, expected);

    const bob2 = await bobReturns();
    const replayed = await bob2.next('message', (m) => m.text === 'look at this');
    assert.equal(replayed.replay, true);
    assert.deepEqual({ mentions: replayed.mentions, urgent: replayed.urgent, attachments: replayed.attachments }, expected);

    const page = await bob2.must('history-result', { t: 'history', conv: peopleKey([alice.clientId, bob.clientId]), limit: 5 });
    assert.deepEqual(
      page.messages.map((m) => [m.text, m.mentions, m.urgent, m.attachments]),
      [
        ['before', undefined, undefined, undefined],
        ['look at this', expected.mentions, true, expected.attachments],
      ],
    );

    // An edit changes the text and keeps the rest.
    const edit = await alice.must('done', { t: 'edit', id: ack.t === 'ack' ? ack.id : '', text: 'look at these' });
    const update = await bob2.next('update', (u) => u.seq === edit.seq);
    assert.deepEqual(
      [update.message.text, update.message.mentions, update.message.urgent, update.message.attachments],
      ['look at these', expected.mentions, true, expected.attachments],
    );

    // An attachment's name is searchable, like a file's.
    const found = await bob2.must('search-result', { t: 'search', query: 'quarterly', limit: 5 });
    assert.deepEqual(
      found.hits.map((h) => [h.message.text, h.message.attachments?.length]),
      [['look at these', 2]],
    );
  });

  it('refuses two attachments with one id, and drops mentions and attachments from a deleted message', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const twice = await alice.sendWith('all', 'two of a kind', { attachments: [IMAGE, { ...REPORT, id: IMAGE.id }] });
    assert.equal(twice.t === 'error' && twice.code, ErrorCode.BadMessage);
    assert.match(twice.t === 'error' ? twice.message : '', /same id/);

    const ack = await alice.sent('all', 'placeholder');
    const rich = await alice.sendWith('all', 'soon gone', { mentions: ['channel'], attachments: [IMAGE] });
    assert.equal(rich.t, 'ack');
    const id = rich.t === 'ack' ? rich.id : '';
    const deleted = await alice.must('done', { t: 'delete', id });
    const tombstone = (await bob.next('update', (u) => u.seq === deleted.seq)).message;
    assert.deepEqual([tombstone.deleted, tombstone.mentions, tombstone.attachments], [true, undefined, undefined]);
    assert.equal((await bob.must('search-result', { t: 'search', query: 'is:mention', limit: 5 })).hits.length, 0);
    await bob.refused(ErrorCode.NotFound, { t: 'file-request', conv: '#general', message: id, attachment: IMAGE.id });
    assert.ok(ack.seq > 0);
  });

  it('finds is:mention (the searcher, or @channel/@here from others where they read), has:image and has:file', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const { channel: hidden } = await carol.must('channel-result', { t: 'channel-create', name: 'hidden', private: true, members: [alice.clientId] });

    await alice.sendWith([bob.clientId], 'bob, a question', { mentions: [bob.clientId] });
    await alice.sendWith('all', 'everyone: standup', { mentions: ['channel'] });
    await carol.sendWith(`#${hidden.id}`, 'here? not bob', { mentions: ['here'] });
    await alice.sendWith('all', 'carol only', { mentions: [carol.clientId] });
    await bob.sendWith('all', 'my own @channel', { mentions: ['channel'] });
    await alice.sendWith('all', 'a picture', { attachments: [IMAGE] });
    await alice.sendWith('all', 'a document', { attachments: [REPORT] });
    await alice.sent('all', 'plain words');

    const texts = async (who: TeamPeer, query: string) => (await who.must('search-result', { t: 'search', query, limit: 20 })).hits.map((h) => h.message.text);
    assert.deepEqual(await texts(bob, 'is:mention'), ['everyone: standup', 'bob, a question']);
    assert.deepEqual(await texts(carol, 'is:mention'), ['my own @channel', 'carol only', 'everyone: standup']);
    assert.deepEqual(await texts(alice, 'is:mention'), ['my own @channel', 'here? not bob']);
    assert.deepEqual(await texts(bob, 'is:mention question'), ['bob, a question']);
    assert.deepEqual(await texts(bob, 'has:image'), ['a picture']);
    assert.deepEqual(await texts(bob, 'has:file'), ['a document']);
    assert.match(await bob.refused(ErrorCode.BadMessage, { t: 'search', query: 'is:urgent', limit: 5 }), /is: takes "mention"/);
  });

  it('passes a file request to the author’s connections only for a reader of the message with that attachment', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const conv = peopleKey([alice.clientId, bob.clientId]);
    const sent = await alice.sendWith([bob.clientId], 'the screenshot', { attachments: [IMAGE] });
    assert.equal(sent.t, 'ack');
    const message = sent.t === 'ack' ? sent.id : '';

    const done = await bob.must('done', { t: 'file-request', conv, message, attachment: IMAGE.id });
    assert.equal(done.seq, sent.t === 'ack' ? sent.seq : -1);
    for (const author of [alice, alice2]) {
      const request = await author.next('file-request');
      assert.deepEqual(request, { t: 'file-request', from: bob.clientId, fromName: 'bob', conv, message, attachment: IMAGE.id });
    }

    // Not a reader, another conversation, another attachment, no such message: one answer.
    await carol.refused(ErrorCode.NotFound, { t: 'file-request', conv, message, attachment: IMAGE.id });
    await bob.refused(ErrorCode.NotFound, { t: 'file-request', conv: '#general', message, attachment: IMAGE.id });
    await bob.refused(ErrorCode.NotFound, { t: 'file-request', conv, message, attachment: 'nope' });
    await bob.refused(ErrorCode.NotFound, { t: 'file-request', conv, message: `${bob.welcome.epoch}-999999`, attachment: IMAGE.id });
    await carol.settle();
    assert.deepEqual(
      [...alice.all('file-request'), ...alice2.all('file-request')].map((r) => r.from),
      [bob.clientId, bob.clientId],
      'the author heard of the allowed request only',
    );

    // The author asking from one machine reaches the other; offline, the reader is told.
    await alice2.must('done', { t: 'file-request', conv, message, attachment: IMAGE.id });
    assert.equal((await alice.next('file-request', (r) => r.from === alice.clientId)).message, message);
    const gone = bob.mark();
    await alice.close();
    await alice2.close();
    // The relay has let both of alice's connections go once bob is told.
    await bob.next('left', (l) => l.clientId === alice.clientId && bob.all('left', gone).length === 2, gone);
    assert.match(await bob.refused(ErrorCode.NoSuchPeer, { t: 'file-request', conv, message, attachment: IMAGE.id }), /alice is not online/);
  });

  it('holds file requests to the searches’ rate: one over it is refused RATE_LIMITED, not passed on', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob'], { searchesPerSecond: 1 });
    const [alice, bob] = peers;
    const sent = await alice.sendWith([bob.clientId], 'rate', { attachments: [IMAGE] });
    const request = {
      t: 'file-request',
      conv: peopleKey([alice.clientId, bob.clientId]),
      message: sent.t === 'ack' ? sent.id : '',
      attachment: IMAGE.id,
    } as const;
    const answers = await Promise.all([1, 2, 3, 4].map(() => bob.ask(request)));
    const passed = answers.filter((a) => a.t === 'done').length;
    assert.ok(passed >= 1 && passed < 4, JSON.stringify(answers));
    assert.ok(
      answers.every((a) => a.t === 'done' || (a.t === 'error' && a.code === ErrorCode.RateLimited)),
      JSON.stringify(answers),
    );
    await alice.settle();
    assert.equal(alice.all('file-request').length, passed, 'only the requests let through reach the author');
  });

  it('lets only the author offer an attachment, and only to a reader of the message', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const conv = peopleKey([alice.clientId, bob.clientId]);
    const sent = await alice.sendWith([bob.clientId], 'the screenshot', { attachments: [IMAGE] });
    const message = sent.t === 'ack' ? sent.id : '';
    let offers = 0;
    const offer = (from: TeamPeer, to: TeamPeer, attachment: string) => {
      const ref = `offer-${++offers}`;
      from.raw.send({
        t: 'offer',
        ref,
        to: to.clientId,
        key: `key-${offers}-abcdefghijklmnop`,
        files: [{ name: 'screenshot.png', size: IMAGE.size }],
        attachment: { conv, message, attachment },
      });
      return from.raw.waitFor((m) => (m.t === 'offer-sent' || m.t === 'error') && m.ref === ref, `answer to ${ref}`);
    };
    const forged = await offer(carol, bob, IMAGE.id);
    assert.deepEqual(forged.t === 'error' && [forged.code, forged.message], [ErrorCode.NotFound, 'there is no such message of yours for them']);
    const leaked = await offer(alice, carol, IMAGE.id);
    assert.equal(leaked.t === 'error' && leaked.code, ErrorCode.NotFound, 'carol may not read it');
    const other = await offer(alice, bob, 'other');
    assert.deepEqual(other.t === 'error' && [other.code, other.message], [ErrorCode.NotFound, 'the message has no such attachment']);
    assert.equal((await offer(alice, bob, IMAGE.id)).t, 'offer-sent');
    const arrived = await bob.next('offer');
    assert.deepEqual([arrived.from, arrived.attachment], [alice.clientId, { conv, message, attachment: IMAGE.id }]);
    assert.deepEqual(
      bob.all('offer').map((o) => o.from),
      [alice.clientId],
      'the refused offers never reached bob',
    );
  });

  it('keeps mentions, urgency and attachments across a restart, edited ones included (history folder)', async function () {
    const bob2 = await bobAfterRestart(cleanup, async (alice, bob) => {
      const plain = await alice.sendWith('all', 'kept as sent', { mentions: [bob.clientId, 'channel'], urgent: true, attachments: [IMAGE] });
      const edited = await alice.sendWith('all', 'to be edited', { attachments: [REPORT] });
      assert.ok(plain.t === 'ack' && edited.t === 'ack');
      await alice.must('done', { t: 'edit', id: edited.t === 'ack' ? edited.id : '', text: 'edited, file kept' });
    });
    const page = await bob2.must('history-result', { t: 'history', conv: '#general', limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => [m.text, m.mentions, m.urgent, m.attachments]),
      [
        ['kept as sent', [bob2.clientId, 'channel'], true, [IMAGE]],
        ['edited, file kept', undefined, undefined, [REPORT]],
      ],
    );
    assert.deepEqual(
      (await bob2.must('search-result', { t: 'search', query: 'is:mention has:image', limit: 5 })).hits.map((h) => h.message.text),
      ['kept as sent'],
    );
  });
});
