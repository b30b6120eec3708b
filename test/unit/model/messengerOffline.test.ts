import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import { Emitter } from '../../../src/model/lifecycle';
import { ClientSource, KeyValueStore, Messenger } from '../../../src/model/messenger';
import type { ClientState, TeamClient } from '../../../src/net/client/teamClient';
import { generateIdentity } from '../../../src/net/identity';
import { silentLogger } from '../../../src/net/logger';
import type { TeamMessengerError } from '../../../src/net/protocol/errors';
import { Cleanup, connectClient, createClient, sleep, startRelay, useCleanup, withTimeout } from '../helpers/loopback';
import { MemoryState } from '../helpers/savedState';
import { until } from '../helpers/security';

/** The extension's ConnectionManager without VS Code, with Disconnect (the client goes away). */
class Connections implements ClientSource {
  client: TeamClient | undefined;
  server = '';
  watchFor: ((selfId: string) => string[]) | undefined;
  private readonly created = new Emitter<TeamClient>();
  private readonly state = new Emitter<ClientState>();
  private readonly failed = new Emitter<TeamMessengerError>();
  readonly onDidCreateClient = this.created.event;
  readonly onDidChangeState = this.state.event;
  readonly onDidFail = this.failed.event;

  constructor(
    private readonly cleanup: Cleanup,
    private readonly port: number,
    private readonly identity = generateIdentity(),
  ) {}

  async connect(): Promise<TeamClient> {
    await this.disconnect();
    const watch = this.watchFor?.(this.identity.clientId);
    const client = createClient(this.cleanup, this.port, { name: 'alice', identity: this.identity, ...(watch ? { watch } : {}) });
    this.client = client;
    client.on('state', (s) => this.state.fire(s));
    this.created.fire(client);
    await withTimeout(client.connect(), 'alice to connect');
    return client;
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }
}

/**
 * Text typed while offline is never lost: once a connection has said whose conversations these
 * are, a message typed without one is kept as pending (saved at once) and sent with the next
 * connection, exactly once; before that, nothing is taken (the chat keeps the text in its box).
 */
describe('Messenger offline: messages typed without a connection', function () {
  const cleanup = useCleanup();
  const identity = generateIdentity();

  async function setup(state: KeyValueStore = new MemoryState()) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const connections = new Connections(cleanup, port, identity);
    const model = messenger(connections, state);
    return { bob, connections, model, state, port };
  }

  function messenger(connections: ClientSource, state: KeyValueStore): Messenger {
    const m = new Messenger(connections, state, silentLogger, () => ({ historySize: 100, displayName: 'alice', sendReadReceipts: true }));
    cleanup.add('messenger', () => m.dispose());
    return m;
  }

  it('before any connection: takes nothing (the composer keeps the text)', async () => {
    const { model, bob } = await setup();
    assert.equal(model.acceptsMessages, false);
    assert.equal(model.send(`peer:${bob.clientId}`, 'nobody to queue for'), undefined);
  });

  it('after Disconnect: pending at once, saved at once, sent once on the next connection', async () => {
    const { model, bob, connections, state } = await setup();
    await connections.connect();
    await connections.disconnect();
    assert.equal(model.connectionState, 'idle');
    assert.equal(model.acceptsMessages, true);
    const conversationId = `peer:${bob.clientId}`;
    const queued = model.send(conversationId, 'typed while disconnected');
    assert.equal(queued?.state, 'pending');
    assert.equal(queued?.fromName, 'alice');
    // Saved already: a reload now keeps it.
    const saved = ConversationStore.fromJSON(state.get(`teamMessenger.conversations.${identity.clientId}`), { selfId: identity.clientId });
    assert.deepEqual(
      saved.pendingMessages().map((p) => p.message.text),
      ['typed while disconnected'],
    );

    await connections.connect();
    await bob.waitForText('typed while disconnected');
    await until(() => model.store.get(conversationId)?.messages.find((m) => m.state === 'delivered'), 'delivered');
    await sleep(200);
    assert.equal(bob.received('typed while disconnected').length, 1);
  });

  it('a thread reply typed while disconnected goes into its thread on the next connection', async () => {
    const { model, bob, connections } = await setup();
    await connections.connect();
    const parent = await bob.send('all', 'anyone around?');
    await until(() => model.store.message('all', parent.id), 'the parent');
    await connections.disconnect();
    const queued = model.reply('all', parent.id, 'answered offline');
    assert.deepEqual([queued?.state, queued?.thread], ['pending', parent.id]);
    await connections.connect();
    assert.equal((await bob.waitForText('answered offline')).thread, parent.id);
    await until(() => model.threadReplies('all', parent.id).find((m) => m.state !== 'pending'), 'acknowledged in the thread');
  });

  it('a reload while offline keeps the pending message; the next connection sends it once', async () => {
    const state = new MemoryState();
    const first = await setup(state);
    await first.connections.connect();
    await first.connections.disconnect();
    assert.ok(first.model.send(`peer:${first.bob.clientId}`, 'typed, then reloaded'));
    first.model.dispose();

    const connections = new Connections(cleanup, first.port, identity);
    const after = messenger(connections, state);
    await connections.connect();
    await first.bob.waitForText('typed, then reloaded');
    await sleep(200);
    assert.equal(first.bob.received('typed, then reloaded').length, 1);
    await until(() => after.store.get(`peer:${first.bob.clientId}`)?.messages.find((m) => m.state === 'delivered'), 'delivered after the reload');
  });

  it('a failed message retried while offline goes back to pending and out on connect', async () => {
    const { model, bob, connections } = await setup();
    await connections.connect();
    await connections.disconnect();
    const conversationId = `peer:${bob.clientId}`;
    const message = model.send(conversationId, 'retry me')!;
    model.store.fail(message.ref!, 'refused');
    model.retry(conversationId, message.id);
    assert.equal(model.store.get(conversationId)?.messages.find((m) => m.text === 'retry me')?.state, 'pending');
    await connections.connect();
    await bob.waitForText('retry me');
  });
});

describe('ConversationStore.mostRecentUnread (where opening the chat goes)', () => {
  it('is the most recently active conversation with unread messages, or none', () => {
    const store = new ConversationStore({ selfId: 'A'.repeat(22) });
    assert.equal(store.mostRecentUnread(), undefined);
    const bob = 'B'.repeat(22);
    const carol = 'C'.repeat(22);
    store.addIncoming({ t: 'message', id: 'm1', seq: 1, from: bob, fromName: 'bob', to: ['A'.repeat(22)], text: 'older', ts: 1000 });
    store.addIncoming({ t: 'message', id: 'm2', seq: 2, from: carol, fromName: 'carol', to: ['A'.repeat(22)], text: 'newer', ts: 2000 });
    store.addIncoming({ t: 'message', id: 'm3', seq: 3, from: bob, fromName: 'bob', to: 'all', text: 'to all, newest', ts: 3000 });
    store.markRead('all');
    assert.equal(store.mostRecentUnread(), `peer:${carol}`);
    store.markRead(`peer:${carol}`);
    assert.equal(store.mostRecentUnread(), `peer:${bob}`);
    store.markRead(`peer:${bob}`);
    assert.equal(store.mostRecentUnread(), undefined);
  });
});

describe('Messenger: what the views say about the connection', function () {
  const cleanup = useCleanup();

  it("passes the failure's cause and Disconnect's relay through, and tells the views when they change without a state change", async () => {
    const health = new Emitter<void>();
    const source: ClientSource & { failure?: { summary: string; text: string }; disconnectedFrom?: string } = {
      client: undefined,
      server: 'chat.example:9999',
      watchFor: undefined,
      onDidCreateClient: new Emitter<TeamClient>().event,
      onDidChangeState: new Emitter<ClientState>().event,
      onDidFail: new Emitter<TeamMessengerError>().event,
      onDidChangeHealth: health.event,
    };
    const model = new Messenger(source, new MemoryState(), silentLogger, () => ({ historySize: 100, displayName: 'alice', sendReadReceipts: true }));
    cleanup.add('messenger', () => model.dispose());
    assert.deepEqual(model.connectionDetails, {});
    const heard: string[] = [];
    const listening = model.onConnectionChanged((state) => heard.push(String(state)));
    source.failure = { summary: "can't reach chat.example:9999", text: 'Cannot reach chat.example:9999 — host not found (check the name)' };
    health.fire();
    assert.deepEqual(heard, ['idle'], 'a new cause is news for the views');
    assert.deepEqual(model.connectionDetails, { failure: source.failure });
    listening.dispose();
    health.fire();
    assert.deepEqual(heard, ['idle'], 'and nothing after the view stopped listening');
  });
});
