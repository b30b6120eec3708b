import { strict as assert } from 'node:assert';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { DEFAULT_MAX_PAYLOAD } from '../../../src/net/protocol/frame';
import type { Ack } from '../../../src/net/protocol/messages';
import { useCleanup } from '../helpers/loopback';
import { startTeam } from '../helpers/teamPeer';

describe('scrollback and search over loopback', function () {
  const cleanup = useCleanup();

  it('pages a conversation back and forth from the relay, and around a message', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const { channel } = await alice.must('channel-result', { t: 'channel-create', name: 'log', members: [bob.clientId] });
    const conv = `#${channel.id}`;
    const acks: Ack[] = [];
    for (let i = 1; i <= 25; i++) acks.push(await alice.sent(conv, `line ${i}`));
    await alice.sent('all', 'elsewhere');

    const newest = await bob.must('history-result', { t: 'history', conv, limit: 10 });
    assert.deepEqual(
      newest.messages.map((m) => m.text),
      acks.slice(15).map((_, i) => `line ${16 + i}`),
    );
    assert.equal(newest.older, true);
    assert.equal(newest.newer, false);
    assert.equal(newest.conv, conv);
    const older = await bob.must('history-result', { t: 'history', conv, before: newest.messages[0].seq, limit: 10 });
    assert.deepEqual(older.messages[0].text, 'line 6');
    const oldest = await bob.must('history-result', { t: 'history', conv, before: older.messages[0].seq, limit: 10 });
    assert.deepEqual(
      oldest.messages.map((m) => m.text),
      ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
    );
    assert.equal(oldest.older, false);
    const after = await bob.must('history-result', { t: 'history', conv, after: acks[19].seq, limit: 3 });
    assert.deepEqual(
      after.messages.map((m) => m.text),
      ['line 21', 'line 22', 'line 23'],
    );
    assert.equal(after.newer, true);
    const around = await bob.must('history-result', { t: 'history', conv, around: acks[12].id, limit: 5 });
    assert.ok(
      around.messages.some((m) => m.id === acks[12].id),
      JSON.stringify(around.messages.map((m) => m.text)),
    );
    assert.equal(around.messages.length, 5);
    await bob.refused(ErrorCode.NotFound, { t: 'history', conv, around: (await alice.sent('all', 'in #general')).id, limit: 5 });
  });

  it('cuts a page of long messages to what one frame carries, and says there is more', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob'], { textBytesPerSecond: 0 });
    const [alice, bob] = peers;
    const long = 'x'.repeat(200_000);
    for (let i = 0; i < 15; i++) await alice.sent([bob.clientId], `${i} ${long}`);
    const page = await bob.must('history-result', { t: 'history', conv: peopleKey([alice.clientId, bob.clientId]), limit: 15 });
    assert.ok(page.messages.length < 15 && page.messages.length > 0, `${page.messages.length} messages`);
    assert.ok(JSON.stringify(page).length < DEFAULT_MAX_PAYLOAD);
    assert.equal(page.messages[page.messages.length - 1].text.split(' ')[0], '14', 'the newest are kept');
    assert.equal(page.older, true);
  });

  it('searches what the asker may read, with from:, in:, has:code, and the latest text of edited messages', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const { channel } = await alice.must('channel-result', { t: 'channel-create', name: 'ops', members: [bob.clientId] });
    const inOps = await alice.sent(`#${channel.id}`, 'the deploy failed again');
    const fromBob = await bob.sent('all', 'deploy fixed, see ```npm run deploy```');
    const secret = await bob.sent([alice.clientId], 'deploy secret between us');
    const typo = await alice.sent('all', 'mispelled wrod');
    await alice.must('done', { t: 'edit', id: typo.id, text: 'corrected word' });
    const gone = await alice.sent('all', 'deploy to be deleted');
    await alice.must('done', { t: 'delete', id: gone.id });

    const ids = async (who: typeof alice, query: string) => (await who.must('search-result', { t: 'search', query })).hits.map((h) => h.message.id);
    assert.deepEqual(await ids(alice, 'deploy'), [secret.id, fromBob.id, inOps.id], 'newest first, the deleted one gone');
    assert.deepEqual(await ids(carol, 'deploy'), [fromBob.id], 'carol reads neither #ops nor their direct messages');
    assert.deepEqual(await ids(alice, 'deploy from:bob'), [secret.id, fromBob.id]);
    assert.deepEqual(await ids(alice, 'deploy in:#ops'), [inOps.id]);
    assert.deepEqual(await ids(alice, 'deploy in:@bob'), [secret.id]);
    assert.deepEqual(await ids(alice, 'has:code'), [fromBob.id]);
    assert.deepEqual(await ids(alice, 'corrected'), [typo.id]);
    assert.deepEqual(await ids(alice, 'mispelled'), []);
    const hit = (await alice.must('search-result', { t: 'search', query: 'failed' })).hits[0];
    assert.equal(hit.conv, `#${channel.id}`);
    assert.equal(hit.message.text, 'the deploy failed again');
    const paged = await alice.must('search-result', { t: 'search', query: 'deploy', limit: 1 });
    assert.equal(paged.more, true);
    const rest = await alice.must('search-result', { t: 'search', query: 'deploy', limit: 5, before: paged.hits[0].message.seq });
    assert.deepEqual(
      rest.hits.map((h) => h.message.id),
      [fromBob.id, inOps.id],
    );
    assert.match(await carol.refused(ErrorCode.BadMessage, { t: 'search', query: 'from:nobody-by-that-name' }), /nobody/);
  });

  it('refuses a search or request over its rate with RATE_LIMITED naming it, instead of leaving it unanswered', async function () {
    const { peers } = await startTeam(cleanup, ['alice'], { searchesPerSecond: 1 });
    const [alice] = peers;
    const answers = await Promise.all([1, 2, 3, 4].map(() => alice.ask({ t: 'search', query: 'anything' })));
    const limited = answers.filter((a) => a.t === 'error' && a.code === ErrorCode.RateLimited);
    assert.ok(limited.length >= 1, JSON.stringify(answers));
    assert.ok(answers.some((a) => a.t === 'search-result'));
  });
});
