import { strict as assert } from 'node:assert';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import type { OfferOut } from '../../../src/net/protocol/messages';
import { RECORDED_FILES } from '../../../src/server/offerRecords';
import { tempDir, useCleanup } from '../helpers/loopback';
import { startTeam, TeamPeer } from '../helpers/teamPeer';

/**
 * File offers recorded as messages in the sender↔receiver conversation, over loopback: live to
 * every connection of both (the offering one included), after the offer; in history pages,
 * replays and search (has:file, file names) for those two only; once per transfer key; kept
 * across a restart on disk. Offers that answer a file-request are not recorded again.
 */
describe('file offers recorded in the conversation', function () {
  this.timeout(20_000);
  const cleanup = useCleanup();
  const FILES = [
    { name: 'notes.txt', size: 12 },
    { name: 'docs/plan.md', size: 3 },
  ];
  let nextRef = 0;

  function offer(from: TeamPeer, to: TeamPeer, key: string, extra: Partial<OfferOut> = {}): string {
    const ref = `offer-ref-${++nextRef}`;
    from.raw.send({ t: 'offer', ref, to: to.clientId, key, files: FILES, ...extra });
    return ref;
  }

  it('delivers the record after the offer to both people, every connection, and to nobody else', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const ref = offer(alice, bob, 'k'.repeat(20));

    const offered = await bob.next('offer');
    const sent = await alice.next('offer-sent', (m) => m.ref === ref);
    assert.ok(offered.message, 'the offer names its record');
    assert.equal(sent.message, offered.message);
    const record = await bob.next('message', (m) => m.id === offered.message);
    assert.ok(bob.messages.indexOf(offered) < bob.messages.indexOf(record), 'the offer comes first');
    assert.equal(record.text, '');
    assert.equal(record.from, alice.clientId);
    assert.deepEqual(record.to, [bob.clientId]);
    assert.deepEqual(record.files, FILES);
    for (const own of [alice, alice2]) {
      const copy = await own.next('message', (m) => m.id === offered.message);
      assert.deepEqual(copy.files, FILES);
    }
    await carol.settle();
    assert.deepEqual(carol.all('message'), [], 'carol hears nothing of it');
  });

  it('is found by has:file and by file name, in pages and replays, by the two people only', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const bookmark = { epoch: bob.welcome.epoch, seq: bob.welcome.seq };
    const chat = await alice.sent([bob.clientId], 'a plain message');
    offer(alice, bob, 'k'.repeat(20));
    const { message: id } = await bob.next('offer');
    await bob.next('message', (m) => m.id === id);
    const conv = peopleKey([alice.clientId, bob.clientId]);

    for (const reader of [alice, bob]) {
      const found = await reader.must('search-result', { t: 'search', query: 'has:file' });
      assert.deepEqual(
        found.hits.map((h) => [h.conv, h.message.id]),
        [[conv, id]],
      );
      const byName = await reader.must('search-result', { t: 'search', query: 'plan' });
      assert.deepEqual(
        byName.hits.map((h) => h.message.id),
        [id],
      );
    }
    assert.deepEqual((await carol.must('search-result', { t: 'search', query: 'has:file' })).hits, []);
    assert.deepEqual((await carol.must('search-result', { t: 'search', query: 'notes' })).hits, []);

    const page = await bob.must('history-result', { t: 'history', conv, limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => m.id),
      [chat.id, id],
    );
    assert.deepEqual(page.messages[1].files, FILES);
    await carol.refused('NOT_FOUND', { t: 'history', conv, limit: 10 });

    await bob.close();
    const back = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity, resume: bookmark });
    const replayed = await back.next('message', (m) => m.id === id);
    assert.equal(replayed.replay, true);
    assert.deepEqual(replayed.files, FILES);
  });

  it('records a transfer once however often it is offered again (a resume), and not an answer to a file-request', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const key = 'r'.repeat(24);
    const first = offer(alice, bob, key);
    const again = offer(alice, bob, key);
    const ids = [(await alice.next('offer-sent', (m) => m.ref === first)).message, (await alice.next('offer-sent', (m) => m.ref === again)).message];
    assert.ok(ids[0]);
    assert.equal(ids[1], ids[0], 'the same record');

    const conv = peopleKey([alice.clientId, bob.clientId]);
    const image = { id: 'att1', kind: 'image' as const, name: 'shot.png', size: 12, mime: 'image/png', sha256: '0'.repeat(64) };
    alice.raw.send({ t: 'send', ref: 'with-image', to: [bob.clientId], text: 'look', attachments: [image] });
    const shot = await alice.next('ack', (m) => m.ref === 'with-image');
    const answer = offer(alice, bob, 'a'.repeat(24), { attachment: { conv, message: shot.id, attachment: 'att1' } });
    const answered = await alice.next('offer-sent', (m) => m.ref === answer);
    assert.equal(answered.message, undefined, 'an answer to a file-request is no new message');
    const incoming = await bob.next('offer', (m) => m.attachment !== undefined);
    assert.deepEqual(incoming.attachment, { conv, message: shot.id, attachment: 'att1' });

    await alice.settle();
    await bob.settle();
    assert.deepEqual(
      bob.all('message').map((m) => m.id),
      [ids[0], shot.id],
    );
    const found = await bob.must('search-result', { t: 'search', query: 'has:file' });
    assert.equal(found.hits.length, 1);
  });

  it('records the first files of a very large offer', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const files = Array.from({ length: RECORDED_FILES + 5 }, (_, i) => ({ name: `f${i}.bin`, size: i }));
    alice.raw.send({ t: 'offer', ref: 'big-offer', to: bob.clientId, key: 'b'.repeat(20), files });
    const { message: id } = await bob.next('offer');
    const record = await bob.next('message', (m) => m.id === id);
    assert.deepEqual(record.files, files.slice(0, RECORDED_FILES));
  });

  it("counts a record's file names against the sender's text rate, and tells a refused offer at once", async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob'], { textBytesPerSecond: 1000 });
    const [alice, bob] = peers;
    // The burst is a maximum-size message's worth (256 Ki characters): the first offer fits, the second does not.
    const files = Array.from({ length: RECORDED_FILES }, (_, i) => ({ name: `${String(i).padStart(4, '0')}-${'n'.repeat(195)}`, size: 1 }));
    alice.raw.send({ t: 'offer', ref: 'first', to: bob.clientId, key: 'f'.repeat(20), files });
    alice.raw.send({ t: 'offer', ref: 'second', to: bob.clientId, key: 's'.repeat(20), files });
    const sent = await alice.next('offer-sent', (m) => m.ref === 'first');
    const refused = await alice.next('error', (m) => m.ref === 'second');
    assert.equal(refused.code, 'RATE_LIMITED');
    await bob.next('message', (m) => m.id === sent.message);
    await bob.settle();
    assert.equal(bob.all('offer').length, 1);
    assert.equal(bob.all('message').length, 1);
  });

  it('keeps records on disk across a restart, found by has:file', async function () {
    const dir = tempDir(cleanup);
    const first = await startTeam(cleanup, ['alice', 'bob'], { historyDir: dir });
    const [alice, bob] = first.peers;
    offer(alice, bob, 'd'.repeat(20));
    const { message: id } = await bob.next('offer');
    await bob.next('message', (m) => m.id === id);
    await alice.close();
    await bob.close();
    await first.relay.stop('restart');

    const { port } = await startTeam(cleanup, [], { historyDir: dir });
    const bobAgain = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity });
    const found = await bobAgain.must('search-result', { t: 'search', query: 'has:file' });
    assert.deepEqual(
      found.hits.map((h) => h.message.id),
      [id],
    );
    assert.deepEqual(found.hits[0].message.files, FILES);
  });
});
