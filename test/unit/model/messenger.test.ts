import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConversationStore } from '../../../src/model/conversationStore';
import { ClientSource, KeyValueStore, Messenger } from '../../../src/model/messenger';
import type { IncomingNotice } from '../../../src/model/messengerModel';
import { generateIdentity } from '../../../src/net/identity';
import { Logger, silentLogger } from '../../../src/net/logger';
import { connectClient, rejectsWithCode, sleep, startRelay, tempDir, useCleanup } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { MemoryState } from '../helpers/savedState';
import { LogCapture, until } from '../helpers/security';

describe('Messenger (the model, in plain Node over a loopback relay)', function () {
  const cleanup = useCleanup();
  const aliceIdentity = generateIdentity();

  function messenger(source: ClientSource, state: KeyValueStore = new MemoryState(), logger: Logger = silentLogger): Messenger {
    return testMessenger(cleanup, source, { state, logger });
  }

  /** A relay with bob (a plain client) on it, and alice's Messenger over a client source, not yet connected. */
  async function relayWithBob(state?: KeyValueStore, logger?: Logger) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const source = new TestClientSource(cleanup);
    const model = messenger(source, state, logger);
    return { port, bob, source, model, connectAlice: () => source.connect(port, 'alice', aliceIdentity) };
  }

  it('sends: pending in the store at once, delivered after the relay acks, received by the peer', async () => {
    const { bob, model, connectAlice } = await relayWithBob();
    await connectAlice();
    const conversationId = `peer:${bob.clientId}` as const;
    const sent = model.send(conversationId, 'hello bob');
    assert.ok(sent);
    assert.equal(sent.state, 'pending');
    assert.equal((await bob.waitForText('hello bob')).from, aliceIdentity.clientId);
    await until(() => model.store.get(conversationId)?.messages.find((m) => m.text === 'hello bob' && m.state === 'delivered'), 'the ack');
    assert.equal(model.selfId, aliceIdentity.clientId);
    assert.equal(model.connectionState, 'connected');
    assert.equal(model.pendingCount, 0);
  });

  // Which notices interrupt the user (channels: mentions only by default) is the NoticeGate's call (notificationPolicyGate.test.ts).
  it('notices a message the user is not looking at, never one on screen', async () => {
    const { bob, model, connectAlice } = await relayWithBob();
    const notices: IncomingNotice[] = [];
    model.onNotice((n) => notices.push(n));
    await connectAlice();
    const conversationId = `peer:${bob.clientId}` as const;
    await bob.send([aliceIdentity.clientId], 'first');
    await until(() => model.store.get(conversationId)?.messages.length === 1, 'the first message');
    model.visibleConversation = conversationId;
    await bob.send([aliceIdentity.clientId], 'second, on screen');
    await bob.send('all', 'to everyone');
    await until(() => model.store.get(conversationId)?.messages.length === 2 && model.store.get('all')?.messages.length === 1, 'both');
    assert.deepEqual(
      notices.map((n) => [n.conversationId, n.message.text]),
      [
        [conversationId, 'first'],
        ['all', 'to everyone'],
      ],
    );
  });

  it('without a client: send says undefined, search and files reject, the roster is empty', async () => {
    const model = messenger(new TestClientSource(cleanup));
    assert.equal(model.send('all', 'nobody hears'), undefined);
    assert.equal(model.connectionState, 'idle');
    assert.deepEqual([...model.roster().online], []);
    await rejectsWithCode(model.search('bob'), 'CLOSED', 'search');
    await rejectsWithCode(model.sendFiles('x', []), 'CLOSED', 'files');
    await rejectsWithCode(model.pingPeer('x'), 'CLOSED', 'ping');
  });

  it('keeps the conversations per identity across a restart of the extension', async () => {
    const state = new MemoryState();
    const { port, bob, source: first, model: before, connectAlice } = await relayWithBob(state);
    await connectAlice();
    await bob.send([aliceIdentity.clientId], 'remember me');
    await until(() => before.store.get(`peer:${bob.clientId}`)?.messages.length === 1, 'the message');
    before.dispose();
    await first.client?.close();

    const second = new TestClientSource(cleanup);
    const after = messenger(second, state);
    await second.connect(port, 'alice', aliceIdentity);
    assert.deepEqual(
      after.store.get(`peer:${bob.clientId}`)?.messages.map((m) => m.text),
      ['remember me'],
    );
  });

  it('sends a message left pending before a restart once, through the client outbox', async () => {
    const state = new MemoryState();
    const { bob, model, connectAlice } = await relayWithBob(state);
    // What the extension saved before the reload: a message still pending (read at connect).
    const saved = new ConversationStore({ selfId: aliceIdentity.clientId });
    saved.addOutgoing({ ref: 'left-pending-0001', to: [bob.clientId], text: 'typed before the reload' }, 'alice');
    await state.update(`teamMessenger.conversations.${aliceIdentity.clientId}`, saved.toJSON());
    await connectAlice();
    await bob.waitForText('typed before the reload');
    await until(() => model.store.get(`peer:${bob.clientId}`)?.messages.find((m) => m.state === 'delivered'), 'delivered');
    await sleep(200);
    assert.equal(bob.received('typed before the reload').length, 1);
  });

  it('starts with no conversations when the saved ones are unreadable, says so once, and saves afresh', async () => {
    const state = new MemoryState();
    const key = `teamMessenger.conversations.${aliceIdentity.clientId}`;
    const found = 'F'.repeat(22);
    state.values.set(key, { version: 1, selfId: aliceIdentity.clientId, conversations: 'lost' });
    state.values.set(`teamMessenger.foundPeers.${aliceIdentity.clientId}`, [found]);
    const log = new LogCapture();
    const { bob, model, connectAlice } = await relayWithBob(state, log);
    await connectAlice();
    assert.deepEqual(
      model.store.conversations.map((c) => c.id),
      ['all'],
    );
    assert.ok(model.watchList().includes(found), 'the found peers are still restored');
    assert.deepEqual(
      log.entries.filter((e) => e.level === 'warn').map((e) => [e.message, e.fields]),
      [['saved conversations could not be restored (no list of conversations); starting with none', { key }]],
    );
    assert.ok(model.send(`peer:${bob.clientId}`, 'after the loss'));
    model.dispose();
    const saved = ConversationStore.fromJSON(state.values.get(key), { selfId: aliceIdentity.clientId });
    assert.deepEqual(
      saved.get(`peer:${bob.clientId}`)?.messages.map((m) => m.text),
      ['after the loss'],
    );
  });

  it('passes on file offers of the current client only', async () => {
    const { bob, model, connectAlice } = await relayWithBob();
    const offers: string[] = [];
    model.onFileOffer((transfer) => {
      offers.push(transfer.files.map((f) => f.name).join());
      transfer.decline('not now');
    });
    await connectAlice();
    // A second client for the same identity replaces the first: offers reach the model once.
    await connectAlice();
    const dir = tempDir(cleanup);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
    await until(() => [...bob.peers.values()].find((p) => p.clientId === aliceIdentity.clientId), 'alice online for bob');
    const transfer = await bob.sendFiles(aliceIdentity.clientId, [path.join(dir, 'notes.txt')]);
    await assert.rejects(transfer.done, /declined/);
    assert.deepEqual(offers, ['notes.txt']);
  });

  it("holds a file offer's record in the conversation with the sender, with no notice of its own", async () => {
    const { bob, model, connectAlice } = await relayWithBob();
    const notices: IncomingNotice[] = [];
    model.onNotice((n) => notices.push(n));
    model.onFileOffer((transfer) => transfer.decline('not now'));
    await connectAlice();
    const dir = tempDir(cleanup);
    fs.writeFileSync(path.join(dir, 'plan.md'), '# plan\n');
    await until(() => [...bob.peers.values()].find((p) => p.clientId === aliceIdentity.clientId), 'alice online for bob');
    const transfer = await bob.sendFiles(aliceIdentity.clientId, [path.join(dir, 'plan.md')]);
    await assert.rejects(transfer.done, /declined/);
    await bob.send([aliceIdentity.clientId], 'did you get it?');
    const conversationId = `peer:${bob.clientId}` as const;
    await until(() => model.store.get(conversationId)?.messages.length === 2, 'the record and the message');
    const [record] = model.store.get(conversationId)!.messages;
    assert.equal(record.id, transfer.messageId);
    assert.deepEqual(record.files, [{ name: 'plan.md', size: 7 }]);
    await until(() => notices.length > 0, 'the notice of the text');
    assert.deepEqual(
      notices.map((n) => n.message.text),
      ['did you get it?'],
      'the offer is told as an offer, its record is no second notice',
    );
  });

  it('replies in threads; participants are told of replies, never of their own from another machine', async () => {
    const { port, bob, model, connectAlice } = await relayWithBob();
    const notices: IncomingNotice[] = [];
    model.onNotice((n) => notices.push(n));
    await connectAlice();
    const laptop = await connectClient(cleanup, port, { name: 'alice-laptop', identity: aliceIdentity });
    const question = await bob.send('all', 'who broke the build?');
    const other = await bob.send('all', 'lunch?');
    await until(() => model.store.message('all', question.id), 'the question');

    const changed: string[] = [];
    model.onMessageChanged((e) => changed.push(`${e.message.id}:${e.message.replies?.count ?? 0}`));
    const answer = model.reply('all', question.id, 'me, sorry');
    assert.equal(answer?.thread, question.id);
    assert.deepEqual(
      model.threadReplies('all', question.id).map((m) => [m.text, m.state]),
      [['me, sorry', 'pending']],
    );
    assert.equal((await bob.waitForText('me, sorry')).thread, question.id);
    await until(() => model.store.message('all', question.id)?.replies?.count === 1, 'the parent shows the reply');
    assert.ok(changed.includes(`${question.id}:1`), 'the views heard of the parent');
    assert.equal(model.store.get('all')!.messages.length, 2, 'the reply is not a top-level message');

    await bob.send('all', 'not your thread', { thread: other.id });
    await laptop.send('all', 'from my laptop', { thread: question.id });
    await bob.send('all', 'fixed now', { thread: question.id });
    await until(() => notices.find((n) => n.message.text === 'fixed now'), 'the notice of the reply');
    // Every reply is news; whether it interrupts (a thread the user is in) is the NoticeGate's call.
    assert.deepEqual(
      notices.map((n) => n.message.text),
      ['who broke the build?', 'lunch?', 'not your thread', 'fixed now'],
    );
    const texts = model.threadReplies('all', question.id).map((m) => [m.text, m.own]);
    assert.deepEqual(texts, [
      ['me, sorry', true],
      ['from my laptop', true],
      ['fixed now', false],
    ]);
  });
});
