// Edits, deletes, reactions and reply counts in a cluster: each goes through the chat stream, so
// every relay applies it in the stream's order, its readers on every relay see it live, and a
// client resuming on another relay gets the latest version.
import * as assert from 'node:assert/strict';
import { generateIdentity } from '../../src/net/identity';
import { ErrorCode } from '../../src/net/protocol/errors';
import type { ChatMessage } from '../../src/net/protocol/messages';
import { connectClient, rejectsWithCode, sleep, TestClient, useCleanup, withTimeout } from '../unit/helpers/loopback';
import { connectKnownEverywhere, startClusterRelay, useTwoClusterRelays } from './relayClusterFixture';

describe('message changes across relays (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);

  /** The next update of message `id` at `client` that satisfies `check`. */
  function updated(client: TestClient, id: string, check: (m: ChatMessage) => boolean, label: string): Promise<ChatMessage> {
    return client.waitFor('update', (u) => u.message.id === id && check(u.message), label).then((u) => u.message);
  }

  it('edits, reacts, counts replies and deletes through the stream; the other relay’s people see each live', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const bobId = bob.self!.clientId;
    const sent = await alice.send('all', 'deploy at 16:00');
    await bob.waitForText('deploy at 16:00');
    const id = sent.id;

    const editSeq = await withTimeout(alice.conversations.edit(id, 'deploy at 17:00'), 'the edit');
    assert.ok(editSeq > sent.seq, 'the change has a seq of its own, from the stream');
    const edited = await updated(bob, id, (m) => m.text === 'deploy at 17:00', 'bob to see the edit');
    assert.ok(edited.edited);

    await withTimeout(bob.conversations.react(id, '👍', true), 'bob’s reaction');
    const reacted = await updated(alice, id, (m) => m.reactions?.[0]?.emoji === '👍', 'alice to see bob’s reaction');
    assert.deepEqual(reacted.reactions, [{ emoji: '👍', by: [bobId] }]);
    assert.equal(reacted.text, 'deploy at 17:00', 'the edit stays');

    await bob.send('all', 'ok for me', { thread: id });
    const counted = await updated(alice, id, (m) => m.replies?.count === 1, 'alice to see the reply counted');
    assert.deepEqual(counted.replies?.by, [bobId]);

    // Not his: refused on his relay, nothing published.
    await rejectsWithCode(bob.conversations.edit(id, 'bob was here'), ErrorCode.Forbidden, 'bob editing alice’s message');

    await withTimeout(alice.conversations.remove(id), 'the delete');
    const gone = await updated(bob, id, (m) => m.deleted === true, 'bob to see the tombstone');
    assert.equal(gone.text, '');
    assert.deepEqual(gone.replies?.count, 1, 'a deleted message keeps its thread');
    await rejectsWithCode(bob.conversations.react(id, '🎉', true), ErrorCode.Conflict, 'a reaction to a deleted message');

    // Both relays hold the same latest version.
    for (const client of [alice, bob]) {
      const page = await client.conversations.history('#general', { limit: 10 });
      const held = page.messages.find((m) => m.id === id);
      // A tombstone keeps its thread, not its reactions (as on a single relay).
      assert.deepEqual([held?.deleted, held?.text, held?.replies?.count, held?.reactions], [true, '', 1, undefined], `as ${client.name} reads it`);
    }
  });

  it('counts a change once on a relay that starts later and reads the stream’s tail again', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const sent = await alice.send('all', 'release notes');
    await alice.send('all', 'looks good', { thread: sent.id });
    await alice.conversations.react(sent.id, '🚀', true);
    await alice.waitFor('update', (u) => u.message.id === sent.id && u.message.replies?.count === 1 && !!u.message.reactions, 'the reply counted');
    const late = await startClusterRelay(cleanup, relays.nats);
    const dave = await connectClient(cleanup, late.address().port, { name: 'dave' });
    const page = await dave.conversations.history('#general', { limit: 10 });
    const held = page.messages.find((m) => m.id === sent.id);
    assert.deepEqual([held?.replies?.count, held?.reactions], [1, [{ emoji: '🚀', by: [alice.self!.clientId] }]], 'neither applied twice');
  });

  it('brings every relay to the same state when a delete and a reaction race from two relays', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const sent = await alice.send('all', 'racing');
    await bob.waitForText('racing');
    const outcomes = await Promise.allSettled([alice.conversations.remove(sent.id), bob.conversations.react(sent.id, '👀', true)]);
    assert.equal(outcomes[0].status, 'fulfilled', 'the delete goes through');
    await sleep(300);
    const versions = await Promise.all(
      [alice, bob].map(async (c) => (await c.conversations.history('#general', { limit: 10 })).messages.find((m) => m.id === sent.id)),
    );
    assert.deepEqual(versions[0], versions[1], 'both relays hold the same version');
    assert.equal(versions[0]?.deleted, true);
  });

  it('gives a client that resumes on the other relay the changes it missed, once, in order', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const identity = generateIdentity();
    const carolOnA = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'carol', identity });
    const sent = await alice.send('all', 'first draft');
    await carolOnA.waitForText('first draft');
    const bookmark = carolOnA.bookmark!;
    await carolOnA.close();

    await alice.conversations.edit(sent.id, 'second draft');
    await alice.conversations.react(sent.id, '🎉', true);
    const carol = await connectClient(cleanup, relays.b.address().port, { name: 'carol', identity, bookmark });
    const last = await carol.waitFor('update', (u) => u.message.id === sent.id && (u.message.reactions?.length ?? 0) > 0, 'carol to get the missed changes');
    assert.equal(last.message.text, 'second draft');
    await sleep(200);
    const seqs = carol.events.update.filter((u) => u.message.id === sent.id).map((u) => u.seq);
    assert.equal(new Set(seqs).size, seqs.length, `each change once: ${seqs.join(', ')}`);
    assert.deepEqual(
      [...seqs].sort((x, y) => x - y),
      seqs,
      'in the stream’s order',
    );
  });
});
