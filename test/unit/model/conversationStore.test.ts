import { strict as assert } from 'node:assert';
import { Ack, ChatMessage, Limits } from '../../../src/net/protocol/messages';
import {
  ConversationChange,
  ConversationStore,
  ConversationStoreOptions,
  PersistedConversations,
  conversationIdFor,
  conversationIdForMembers,
  conversationKind,
  isConversationId,
  membersOf,
  parseConversationId,
  targetsFor,
} from '../../../src/model/conversationStore';
import { MAX_PERSISTED_JSON, PERSISTED_JSON_WRITTEN } from '../../../src/model/storePersistence';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const T0 = 1_700_000_000_000;

let nextSeq = 1;

function msg(fields: Partial<ChatMessage> = {}): ChatMessage {
  const seq = fields.seq ?? nextSeq++;
  return {
    t: 'message',
    id: `ep-${seq}`,
    seq,
    ts: T0 + seq * 1000,
    from: ALICE,
    fromName: 'alice',
    to: [SELF],
    text: `hello ${seq}`,
    ...fields,
  };
}

function ack(ref: string, fields: Partial<Ack> = {}): Ack {
  const seq = fields.seq ?? nextSeq++;
  return { t: 'ack', ref, id: `ep-${seq}`, seq, ts: T0 + seq * 1000, reached: 1, online: [], offline: [], ...fields };
}

function newStore(options: Partial<ConversationStoreOptions> = {}): ConversationStore {
  return new ConversationStore({ selfId: SELF, ...options });
}

function record(store: ConversationStore): ConversationChange[] {
  const events: ConversationChange[] = [];
  store.onDidChange((e) => events.push(e));
  return events;
}

function ids(store: ConversationStore, conversationId: string): string[] {
  return store.get(conversationId)?.messages.map((m) => m.id) ?? [];
}

describe('conversation ids', function () {
  it('maps incoming and outgoing targets to the same conversation', function () {
    assert.equal(conversationIdFor('all', ALICE, SELF), 'all');
    assert.equal(conversationIdFor('all', SELF, SELF), 'all');
    assert.equal(conversationIdFor([SELF], ALICE, SELF), `peer:${ALICE}`);
    assert.equal(conversationIdFor([ALICE], SELF, SELF), `peer:${ALICE}`);
    assert.equal(conversationIdFor([SELF, BOB], ALICE, SELF), `group:${ALICE},${BOB}`);
    assert.equal(conversationIdFor([ALICE, BOB], SELF, SELF), `group:${ALICE},${BOB}`);
    assert.equal(conversationIdFor([SELF], SELF, SELF), `peer:${SELF}`, 'notes to self');
  });

  it('canonicalises groups: order-insensitive, self excluded, duplicates removed', function () {
    const expected = `group:${ALICE},${BOB},${CAROL}`;
    assert.equal(conversationIdForMembers([CAROL, ALICE, BOB], SELF), expected);
    assert.equal(conversationIdForMembers([BOB, SELF, CAROL, ALICE, SELF], SELF), expected);
    assert.equal(conversationIdForMembers([ALICE, BOB, ALICE, CAROL, BOB], SELF), expected);
    assert.equal(conversationIdFor([CAROL, SELF, BOB, CAROL], ALICE, SELF), expected);
    assert.equal(conversationIdFor([BOB, CAROL, ALICE], SELF, SELF), expected);
    assert.equal(conversationIdForMembers([ALICE, ALICE, SELF], SELF), `peer:${ALICE}`);
  });

  it('turns ids back into targets and members', function () {
    assert.equal(targetsFor('all'), 'all');
    assert.deepEqual(targetsFor(`peer:${BOB}`), [BOB]);
    assert.deepEqual(targetsFor(`group:${ALICE},${CAROL}`), [ALICE, CAROL]);
    assert.deepEqual(membersOf('all'), []);
    assert.deepEqual(membersOf(`group:${ALICE},${BOB}`), [ALICE, BOB]);
    assert.equal(conversationKind('all'), 'everyone');
    assert.equal(conversationKind(`peer:${ALICE}`), 'peer');
    assert.equal(conversationKind(`group:${ALICE},${BOB}`), 'group');
    const group = conversationIdForMembers([CAROL, BOB, ALICE], SELF);
    assert.equal(conversationIdFor(targetsFor(group), SELF, SELF), group);
  });

  it('rejects what is not a canonical id', function () {
    const bad: unknown[] = [
      '',
      'everyone',
      'peer:',
      'peer:short',
      `peer:${ALICE},${BOB}`,
      `group:${ALICE}`,
      `group:${BOB},${ALICE}`,
      `group:${ALICE},${ALICE}`,
      `group:${ALICE},,${BOB}`,
      `group:${ALICE},<b>${'x'.repeat(20)}`,
      '__proto__',
      'constructor',
      undefined,
      null,
      42,
      { id: 'all' },
      `group:${Array.from({ length: 300 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(20)}`).join(',')}`,
    ];
    for (const id of bad) {
      assert.equal(isConversationId(id), false, String(id).slice(0, 60));
      assert.equal(parseConversationId(id), undefined);
    }
    assert.throws(() => targetsFor('nonsense'), TypeError);
    assert.throws(() => membersOf(`group:${BOB},${ALICE}`), TypeError);
    assert.equal(isConversationId(`group:${ALICE},${SELF}`), true);
    assert.equal(isConversationId(`group:${ALICE},${SELF}`, SELF), false, 'self is never a group member');
    assert.equal(isConversationId('all', SELF), true);
  });
});

describe('ConversationStore', function () {
  beforeEach(function () {
    nextSeq = 1;
  });

  describe('incoming messages', function () {
    it('files messages by conversation and counts them unread', function () {
      const store = newStore();
      const events = record(store);
      assert.deepEqual(store.addIncoming(msg({ to: 'all' })), { conversationId: 'all', added: true });
      assert.deepEqual(store.addIncoming(msg()), { conversationId: `peer:${ALICE}`, added: true });
      assert.deepEqual(store.addIncoming(msg({ from: BOB, fromName: 'bob', to: [SELF, ALICE] })), { conversationId: `group:${ALICE},${BOB}`, added: true });
      assert.equal(store.unreadOf('all'), 1);
      assert.equal(store.unreadOf(`peer:${ALICE}`), 1);
      assert.equal(store.unreadTotal, 3);
      assert.deepEqual(
        events.map((e) => [e.kind, e.conversationId]),
        [
          ['message', 'all'],
          ['message', `peer:${ALICE}`],
          ['message', `group:${ALICE},${BOB}`],
        ],
      );
      const group = store.get(`group:${ALICE},${BOB}`)!;
      assert.deepEqual(group.members, [ALICE, BOB]);
      const [m] = group.messages;
      assert.equal(m.own, false);
      assert.equal(m.state, 'delivered');
      assert.equal(m.fromName, 'bob');
    });

    it('does not add a replayed message twice', function () {
      const store = newStore();
      const live = msg();
      store.addIncoming(live);
      const events = record(store);
      assert.deepEqual(store.addIncoming({ ...live, replay: true }), { conversationId: `peer:${ALICE}`, added: false });
      assert.deepEqual(store.addIncoming(live), { conversationId: `peer:${ALICE}`, added: false });
      assert.equal(store.get(`peer:${ALICE}`)!.messages.length, 1);
      assert.equal(store.unreadOf(`peer:${ALICE}`), 1);
      assert.deepEqual(events, []);
    });

    it('keeps messages in time order whatever order they arrive in, ties by seq', function () {
      const store = newStore();
      store.addIncoming(msg({ id: 'm3', seq: 3, ts: T0 + 3000 }));
      store.addIncoming(msg({ id: 'm1', seq: 1, ts: T0 + 1000, replay: true }));
      store.addIncoming(msg({ id: 'm5', seq: 5, ts: T0 + 3000 }));
      store.addIncoming(msg({ id: 'm4', seq: 4, ts: T0 + 3000 }));
      store.addIncoming(msg({ id: 'm2', seq: 2, ts: T0 + 2000, replay: true }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['m1', 'm2', 'm3', 'm4', 'm5']);
    });

    it('puts replays that arrive after a local pending message before it when they are older', function () {
      const store = newStore();
      const pending = store.addOutgoing({ ref: 'r1', to: [ALICE], text: 'typed offline' }, 'me', T0 + 10_000);
      store.addIncoming(msg({ id: 'old-2', seq: 2, ts: T0 + 2000, replay: true }));
      store.addIncoming(msg({ id: 'old-1', seq: 1, ts: T0 + 1000, replay: true }));
      store.addIncoming(msg({ id: 'new', seq: 9, ts: T0 + 20_000 }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['old-1', 'old-2', pending.id, 'new']);
    });

    it('adds own messages from another device as own and delivered, never unread', function () {
      const store = newStore();
      const { conversationId, added } = store.addIncoming(msg({ from: SELF, fromName: 'me', to: 'all' }));
      assert.equal(added, true);
      assert.equal(conversationId, 'all');
      const [m] = store.get('all')!.messages;
      assert.equal(m.own, true);
      assert.equal(m.state, 'delivered');
      assert.equal(store.unreadTotal, 0);
      store.addIncoming(msg({ from: SELF, to: [SELF] }));
      assert.equal(store.get(`peer:${SELF}`)!.messages[0].own, true);
      assert.equal(store.unreadTotal, 0);
    });

    it('keeps hostile names and text as plain strings', function () {
      const store = newStore();
      const text = '<img src=x onerror=alert(1)> &amp; <script>alert(2)</script> $(zap) \u202e';
      const name = '<b>"mallory"</b>';
      store.addIncoming(msg({ text, fromName: name }));
      const [m] = store.get(`peer:${ALICE}`)!.messages;
      assert.equal(m.text, text);
      assert.equal(m.fromName, name);
      assert.equal(store.nameFromHistory(ALICE), name);
    });

    it('hands out frozen snapshots', function () {
      const store = newStore();
      store.addIncoming(msg({ code: { path: 'a.ts', startLine: 1, endLine: 2, language: 'ts' } }));
      const conversation = store.get(`peer:${ALICE}`)!;
      assert.throws(() => {
        (conversation.messages[0] as { text: string }).text = 'changed';
      }, TypeError);
      assert.throws(() => {
        (conversation.messages[0].code as { path: string }).path = 'x';
      }, TypeError);
      conversation.messages.length = 0;
      conversation.members.push('x');
      assert.equal(store.get(`peer:${ALICE}`)!.messages.length, 1);
      assert.deepEqual(store.get(`peer:${ALICE}`)!.members, [ALICE]);
    });
  });

  describe('unread', function () {
    it('stays 0 for the active conversation and counts again once it is not', function () {
      const store = newStore();
      store.addIncoming(msg());
      store.addIncoming(msg());
      store.addIncoming(msg({ from: BOB }));
      const events = record(store);
      store.setActive(`peer:${ALICE}`);
      assert.equal(store.active, `peer:${ALICE}`);
      assert.equal(store.unreadOf(`peer:${ALICE}`), 0);
      assert.deepEqual(events, [{ kind: 'unread', conversationId: `peer:${ALICE}` }]);
      store.addIncoming(msg());
      assert.equal(store.unreadOf(`peer:${ALICE}`), 0, 'active: read as it arrives');
      store.addIncoming(msg({ from: BOB }));
      assert.equal(store.unreadOf(`peer:${BOB}`), 2, 'other conversations still count');
      store.setActive(undefined);
      store.addIncoming(msg());
      assert.equal(store.unreadOf(`peer:${ALICE}`), 1, 'hidden: counts again');
      assert.equal(store.unreadTotal, 3);
      store.markRead(`peer:${BOB}`);
      assert.equal(store.unreadTotal, 1);
      const before = events.length;
      store.markRead(`peer:${BOB}`);
      store.markRead('peer:nobody');
      assert.equal(events.length, before, 'no event when nothing changed');
    });

    it('counts a conversation that is active before it exists as read', function () {
      const store = newStore();
      store.setActive(`peer:${CAROL}`);
      store.addIncoming(msg({ from: CAROL }));
      assert.equal(store.unreadOf(`peer:${CAROL}`), 0);
    });
  });

  describe('own messages', function () {
    it('adds a pending message with a local id', function () {
      const store = newStore();
      const events = record(store);
      const m = store.addOutgoing(
        { ref: 'r1', to: [ALICE, BOB], text: 'hi', code: { path: 'x.ts', startLine: 3, endLine: 4, language: 'typescript' } },
        'me',
        T0,
      );
      assert.deepEqual(m, {
        id: 'local:r1',
        ref: 'r1',
        from: SELF,
        fromName: 'me',
        text: 'hi',
        code: { path: 'x.ts', startLine: 3, endLine: 4, language: 'typescript' },
        ts: T0,
        own: true,
        state: 'pending',
      });
      assert.deepEqual(events, [{ kind: 'message', conversationId: `group:${ALICE},${BOB}`, message: m }]);
      assert.equal(store.unreadTotal, 0);
      assert.deepEqual(
        store.pendingMessages().map((p) => [p.conversationId, p.message.id]),
        [[`group:${ALICE},${BOB}`, 'local:r1']],
      );
      assert.throws(() => store.addOutgoing({ ref: 'r1', to: 'all', text: 'again' }, 'me'), /already in use/);
    });

    it('is delivered when the ack reached someone, sent when nobody was online', function () {
      const store = newStore();
      store.addOutgoing({ ref: 'r1', to: [ALICE], text: 'one' }, 'me', T0);
      store.addOutgoing({ ref: 'r2', to: [ALICE], text: 'two' }, 'me', T0 + 1);
      const events = record(store);
      const one = store.acknowledge('r1', ack('r1', { id: 'relay-1', seq: 1, ts: T0 + 50, reached: 1 }))!;
      assert.equal(one.id, 'relay-1');
      assert.equal(one.ts, T0 + 50);
      assert.equal(one.state, 'delivered');
      assert.equal(one.ref, 'r1');
      const two = store.acknowledge('r2', ack('r2', { id: 'relay-2', seq: 2, ts: T0 + 60, reached: 0, offline: [ALICE] }))!;
      assert.equal(two.state, 'sent');
      assert.deepEqual(
        events.map((e) => [e.kind, e.message?.id, e.previousId]),
        [
          ['updated', 'relay-1', 'local:r1'],
          ['updated', 'relay-2', 'local:r2'],
        ],
      );
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['relay-1', 'relay-2']);
      assert.equal(store.acknowledge('r1', ack('r1')), undefined, 'a ref is acknowledged once');
      assert.equal(store.acknowledge('nope', ack('nope')), undefined);
      assert.deepEqual(store.pendingMessages(), []);
    });

    it('moves an acknowledged message to the relay time', function () {
      const store = newStore();
      store.addOutgoing({ ref: 'r1', to: [ALICE], text: 'typed first, local clock ahead' }, 'me', T0 + 10_000);
      store.addIncoming(msg({ id: 'theirs', seq: 5, ts: T0 + 5000 }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['theirs', 'local:r1']);
      store.acknowledge('r1', ack('r1', { id: 'mine', seq: 4, ts: T0 + 4000 }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['mine', 'theirs']);
    });

    it('does not duplicate a message that came back before its ack', function () {
      const store = newStore();
      store.addOutgoing({ ref: 'r1', to: 'all', text: 'hi all' }, 'me', T0);
      store.addIncoming(msg({ id: 'relay-7', seq: 7, from: SELF, fromName: 'me', to: 'all', text: 'hi all' }));
      assert.equal(store.get('all')!.messages.length, 2);
      const events = record(store);
      const m = store.acknowledge('r1', ack('r1', { id: 'relay-7', seq: 7, reached: 2 }))!;
      assert.equal(m.id, 'relay-7');
      assert.equal(m.ref, 'r1');
      assert.equal(m.state, 'delivered');
      assert.deepEqual(ids(store, 'all'), ['relay-7']);
      assert.deepEqual(events, [{ kind: 'reset', conversationId: 'all' }]);
      assert.equal(store.addIncoming(msg({ id: 'relay-7', seq: 7, from: SELF, to: 'all' })).added, false);
    });

    it('fails, and retries under a new ref', function () {
      const store = newStore();
      const sent = store.addOutgoing({ ref: 'r1', to: [CAROL], text: 'are you there' }, 'me', T0);
      const conversationId = `peer:${CAROL}`;
      assert.equal(store.retryable(conversationId, sent.id), undefined, 'pending is not retryable');
      const failed = store.fail('r1', 'NO_SUCH_PEER: unknown peer')!;
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error, 'NO_SUCH_PEER: unknown peer');
      assert.equal(store.fail('unknown', 'x'), undefined);
      assert.equal(store.retryable(conversationId, sent.id)?.text, 'are you there');
      assert.equal(store.retryable(conversationId, 'other'), undefined);
      assert.equal(store.retryable('all', sent.id), undefined);

      store.addOutgoing({ ref: 'busy', to: [CAROL], text: 'other' }, 'me', T0 + 1);
      assert.equal(store.markRetrying(conversationId, sent.id, 'busy'), undefined, 'a ref in use is refused');
      const retried = store.markRetrying(conversationId, sent.id, 'r2', T0 + 100)!;
      assert.equal(retried.state, 'pending');
      assert.equal(retried.ref, 'r2');
      assert.equal(retried.id, sent.id, 'same id until the ack');
      assert.equal(retried.error, undefined);
      assert.equal(retried.ts, T0 + 100);
      assert.equal(store.acknowledge('r1', ack('r1')), undefined, 'the old ref is gone');
      const done = store.acknowledge('r2', ack('r2', { id: 'relay-9', reached: 1 }))!;
      assert.equal(done.state, 'delivered');
      assert.equal(store.retryable(conversationId, 'relay-9'), undefined);
      assert.equal(store.markRetrying(conversationId, 'relay-9', 'r3'), undefined, 'delivered messages are not resent');
    });

    it('does not retry messages from others', function () {
      const store = newStore();
      store.addIncoming(msg({ id: 'theirs' }));
      assert.equal(store.retryable(`peer:${ALICE}`, 'theirs'), undefined);
      assert.equal(store.markRetrying(`peer:${ALICE}`, 'theirs', 'r'), undefined);
    });
  });

  describe('bounds', function () {
    it('keeps at most maxMessagesPerConversation, dropping the oldest', function () {
      const store = newStore({ maxMessagesPerConversation: 3 });
      for (let i = 1; i <= 5; i++) store.addIncoming(msg({ id: `m${i}`, seq: i, ts: T0 + i }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['m3', 'm4', 'm5']);
      // A replay older than everything kept falls off at once: not added, no event.
      const events = record(store);
      assert.equal(store.addIncoming(msg({ id: 'm0', seq: 0, ts: T0 })).added, false);
      assert.deepEqual(events, []);
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['m3', 'm4', 'm5']);
      // A dropped pending message no longer answers to its ref.
      store.addOutgoing({ ref: 'old', to: [ALICE], text: 'x' }, 'me', T0 + 4);
      store.addIncoming(msg({ id: 'm6', seq: 6, ts: T0 + 6 }));
      store.addIncoming(msg({ id: 'm7', seq: 7, ts: T0 + 7 }));
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['m5', 'm6', 'm7']);
      assert.equal(store.acknowledge('old', ack('old')), undefined);
    });

    it('keeps at most maxConversations, dropping the least recently active but never all or the active one', function () {
      const store = newStore({ maxConversations: 4 });
      const people = ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => p.repeat(11));
      store.addIncoming(msg({ from: people[0], ts: T0 + 1 }));
      store.addIncoming(msg({ from: people[1], ts: T0 + 2 }));
      store.setActive(`peer:${people[0]}`);
      const events = record(store);
      store.addIncoming(msg({ from: people[2], ts: T0 + 3 }));
      assert.equal(store.conversations.length, 4);
      store.addIncoming(msg({ from: people[3], ts: T0 + 4 }));
      const kept = store.conversations.map((c) => c.id);
      assert.equal(kept.length, 4);
      assert.ok(kept.includes('all'), 'all stays');
      assert.ok(kept.includes(`peer:${people[0]}`), 'the active one stays though it is the oldest');
      assert.ok(!kept.includes(`peer:${people[1]}`), 'the least recent other one goes');
      assert.deepEqual(
        events.filter((e) => e.kind === 'reset'),
        [{ kind: 'reset', conversationId: `peer:${people[1]}` }],
      );
      store.ensure(`peer:${people[4]}`, T0 + 100);
      assert.ok(store.has(`peer:${people[4]}`));
      assert.equal(store.conversations.length, 4);
      assert.ok(!store.has(`peer:${people[2]}`));
    });

    it('lists conversations most recently active first', function () {
      const store = newStore();
      store.addIncoming(msg({ from: ALICE, ts: T0 + 10 }));
      store.addIncoming(msg({ from: BOB, ts: T0 + 30 }));
      store.addIncoming(msg({ from: CAROL, ts: T0 + 20 }));
      store.addIncoming(msg({ from: ALICE, to: 'all', ts: T0 + 5 }));
      assert.deepEqual(
        store.conversations.map((c) => c.id),
        [`peer:${BOB}`, `peer:${CAROL}`, `peer:${ALICE}`, 'all'],
      );
      store.addOutgoing({ ref: 'r', to: [ALICE], text: 'hi' }, 'me', T0 + 40);
      assert.equal(store.conversations[0].id, `peer:${ALICE}`);
    });
  });

  describe('conversations', function () {
    it('ensure creates an empty conversation once and refuses invalid ids', function () {
      const store = newStore();
      const events = record(store);
      const c = store.ensure(`group:${BOB},${CAROL}`, T0);
      assert.deepEqual(c, { id: `group:${BOB},${CAROL}`, members: [BOB, CAROL], messages: [], unread: 0, lastActivity: T0 });
      store.ensure(`group:${BOB},${CAROL}`, T0 + 5);
      assert.equal(events.length, 1);
      assert.equal(store.get(`group:${BOB},${CAROL}`)!.lastActivity, T0);
      assert.throws(() => store.ensure('garbage'), TypeError);
      assert.throws(() => store.ensure(`group:${CAROL},${BOB}`), TypeError);
      assert.throws(() => store.ensure(`group:${ALICE},${SELF}`), TypeError);
      assert.equal(store.get('__proto__'), undefined);
    });

    it('pages through a long conversation', function () {
      const store = newStore();
      for (let i = 1; i <= 10; i++) store.addIncoming(msg({ id: `m${i}`, seq: i }));
      const last = store.page(`peer:${ALICE}`, 4);
      assert.deepEqual(
        last.messages.map((m) => m.id),
        ['m7', 'm8', 'm9', 'm10'],
      );
      assert.equal(last.hasOlder, true);
      const older = store.page(`peer:${ALICE}`, 4, 'm7');
      assert.deepEqual(
        older.messages.map((m) => m.id),
        ['m3', 'm4', 'm5', 'm6'],
      );
      const oldest = store.page(`peer:${ALICE}`, 4, 'm3');
      assert.deepEqual(
        oldest.messages.map((m) => m.id),
        ['m1', 'm2'],
      );
      assert.equal(oldest.hasOlder, false);
      assert.deepEqual(store.page('peer:nobody', 4), { messages: [], hasOlder: false });
    });

    it('remembers the newest name a sender used', function () {
      const store = newStore();
      store.addIncoming(msg({ fromName: 'alice', ts: T0 + 2000 }));
      store.addIncoming(msg({ fromName: 'old alice', ts: T0 + 1000, to: 'all' }));
      assert.equal(store.nameFromHistory(ALICE), 'alice');
      assert.equal(store.nameFromHistory(BOB), undefined);
    });
  });

  describe('listeners', function () {
    it('stop after dispose, and one that throws does not stop the others', function () {
      const errors: unknown[] = [];
      const store = newStore({ onListenerError: (e) => errors.push(e) });
      const seen: string[] = [];
      store.onDidChange(() => {
        throw new Error('boom');
      });
      const second = store.onDidChange((e) => seen.push(e.kind));
      store.addIncoming(msg());
      assert.deepEqual(seen, ['message']);
      assert.equal(errors.length, 1);
      assert.equal(store.get(`peer:${ALICE}`)!.messages.length, 1);
      second.dispose();
      store.addIncoming(msg());
      assert.deepEqual(seen, ['message']);
    });
  });

  describe('persistence', function () {
    function populated(): ConversationStore {
      const store = newStore();
      store.addIncoming(msg({ id: 'a1', seq: 1, ts: T0 + 1000, text: 'hi', code: { path: 'src/a.ts', startLine: 2, endLine: 9, language: 'typescript' } }));
      store.addIncoming(msg({ id: 'a2', seq: 2, ts: T0 + 1000, text: 'same ms, later seq' }));
      store.addIncoming(msg({ id: 'g1', seq: 3, from: BOB, fromName: 'bob', to: [SELF, ALICE, CAROL] }));
      store.addIncoming(msg({ id: 'e1', seq: 4, to: 'all', from: SELF, fromName: 'me' }));
      store.addOutgoing({ ref: 'p1', to: [ALICE], text: 'still pending' }, 'me', T0 + 50_000);
      store.addOutgoing({ ref: 'f1', to: [BOB], text: 'will fail' }, 'me', T0 + 51_000);
      store.fail('f1', 'refused');
      store.addOutgoing({ ref: 's1', to: [BOB], text: 'acked' }, 'me', T0 + 52_000);
      store.acknowledge('s1', ack('s1', { id: 'b9', seq: 9, ts: T0 + 52_001, reached: 0 }));
      store.markRead(`group:${ALICE},${BOB},${CAROL}`);
      return store;
    }

    it('round-trips through JSON', function () {
      const store = populated();
      const json = JSON.parse(JSON.stringify(store.toJSON())) as unknown;
      const restored = ConversationStore.fromJSON(json, { selfId: SELF });
      assert.deepEqual(restored.conversations, store.conversations);
      assert.equal(restored.unreadTotal, store.unreadTotal);
      assert.equal(restored.unreadOf(`peer:${ALICE}`), 2);
      const [p] = restored.pendingMessages();
      assert.equal(p.message.ref, 'p1');
      assert.equal(p.message.state, 'pending', 'pending stays pending, to be resent');
      assert.equal(restored.retryable(`peer:${BOB}`, 'local:f1')?.error, 'refused', 'failed stays failed');
      // Restored pending messages still take their ack, and ordering by seq survives.
      assert.equal(restored.acknowledge('p1', ack('p1', { id: 'a10', seq: 10, ts: T0 + 60_000 }))?.state, 'delivered');
      restored.addIncoming(msg({ id: 'a0', seq: 0, ts: T0 + 1000 }));
      assert.deepEqual(ids(restored, `peer:${ALICE}`), ['a0', 'a1', 'a2', 'a10']);
      assert.equal(restored.addIncoming(msg({ id: 'a1', seq: 1, ts: T0 + 1000 })).added, false, 'dedupe after restore');
    });

    it('persists a bounded amount', function () {
      const store = newStore({ maxMessagesPerConversation: 1000 });
      for (let i = 1; i <= 500; i++) store.addIncoming(msg({ id: `m${i}`, seq: i }));
      const persisted = store.toJSON();
      const alice = persisted.conversations.find((c) => c.id === `peer:${ALICE}`)!;
      assert.equal(alice.messages.length, 200);
      assert.equal(alice.messages[199].id, 'm500', 'the newest are kept');
      assert.equal(store.toJSON({ maxMessagesPerConversation: 10 }).conversations[0].messages.length, 10);

      const big = newStore();
      big.addIncoming(msg({ id: 'tiny', text: 'x' }));
      big.addIncoming(msg({ id: 'huge', text: 'x'.repeat(3000) }));
      big.addOutgoing({ ref: 'p', to: [ALICE], text: 'y' }, 'me', T0 + 1e9);
      big.addIncoming(msg({ id: 'new', text: 'z'.repeat(900), ts: T0 + 2e9 }));
      const limited = big.toJSON({ maxChars: 1500 });
      assert.deepEqual(
        limited.conversations[0].messages.map((m) => m.id),
        ['local:p', 'new'],
        'over the budget: no older message after the gap',
      );
      const waiting = newStore();
      waiting.addIncoming(msg({ id: 'seen', text: 'x' }));
      waiting.addOutgoing({ ref: 'p', to: [ALICE], text: 'y'.repeat(5000) }, 'me', T0 + 1e9);
      assert.deepEqual(
        waiting.toJSON({ maxChars: 100 }).conversations[0].messages.map((m) => m.id),
        ['local:p'],
        'pending messages are kept whatever the budget',
      );
      assert.ok(JSON.stringify(limited).length < 10_000);
    });

    it('keeps pending messages within a budget of their own, and all it writes within both budgets', function () {
      const store = newStore();
      for (let i = 0; i < 40; i++) store.addIncoming(msg({ text: `"quoted" \u0001 ${i}`.repeat(20) }));
      for (let i = 0; i < 40; i++) store.addOutgoing({ ref: `p${i}`, to: [BOB], text: `waiting ${i} `.repeat(10) }, 'me', T0 + 1e9 + i);
      const saved = store.toJSON({ maxChars: 2000, maxPendingChars: 3000 });
      const [bob, alice] = saved.conversations;
      assert.equal(bob.id, `peer:${BOB}`);
      assert.ok(bob.messages.length > 5 && bob.messages.length < 40, `${bob.messages.length} pending kept`);
      assert.equal(bob.messages.at(-1)!.id, 'local:p39', 'the newest pending first');
      assert.ok(alice.messages.length > 2 && alice.messages.length < 40, `${alice.messages.length} others kept`);
      const envelope = JSON.stringify({ version: 1, selfId: SELF, conversations: [] }).length;
      assert.ok(JSON.stringify(saved).length <= 2000 + 3000 + envelope, `${JSON.stringify(saved).length} characters`);
    });

    it('writes no more than PERSISTED_JSON_WRITTEN with its defaults, however the text escapes', function () {
      const store = newStore();
      // Control characters take six characters each in JSON; far more than both budgets.
      const worst = '\u0001'.repeat(Limits.textChars);
      for (let i = 0; i < 4; i++) store.addOutgoing({ ref: `p${i}`, to: [BOB], text: worst }, 'me', T0 + i);
      for (let i = 0; i < 4; i++) store.addIncoming(msg({ text: worst }));
      for (let i = 0; i < 300; i++) store.addIncoming(msg({ to: [SELF, `G${String(i).padStart(21, '0')}`], text: '"'.repeat(5000) }));
      const length = JSON.stringify(store.toJSON()).length;
      assert.ok(length > 3_000_000 && length <= PERSISTED_JSON_WRITTEN, `${length} characters`);
      assert.ok(PERSISTED_JSON_WRITTEN < MAX_PERSISTED_JSON, 'what is written is always read back');
    });

    it('counts the conversations and messages it drops when restoring', function () {
      const good = { id: 'ok', from: ALICE, fromName: 'alice', text: 'fine', ts: T0, own: false, state: 'delivered' };
      const value = {
        version: 1,
        selfId: SELF,
        conversations: [
          { id: `peer:${ALICE}`, unread: 0, lastActivity: T0, messages: [good, { ...good, id: 'bad', ts: -1 }, null] },
          { id: 'not a conversation', unread: 0, lastActivity: T0, messages: [] },
          'garbage',
        ],
      };
      const tally = { dropped: 0 };
      const store = ConversationStore.fromJSON(value, { selfId: SELF }, tally);
      assert.deepEqual(ids(store, `peer:${ALICE}`), ['ok']);
      assert.equal(tally.dropped, 4);
      const clean = { dropped: 0 };
      ConversationStore.fromJSON(JSON.parse(JSON.stringify(populated().toJSON())), { selfId: SELF }, clean);
      assert.equal(clean.dropped, 0);
    });

    it('does not restore the history of another identity', function () {
      const restored = ConversationStore.fromJSON(populated().toJSON(), { selfId: BOB });
      assert.deepEqual(
        restored.conversations.map((c) => c.id),
        ['all'],
      );
      assert.equal(restored.get('all')!.messages.length, 0);
    });

    it('drops corrupt or hostile input instead of throwing', function () {
      const hostile: unknown[] = [
        undefined,
        null,
        42,
        'conversations',
        [],
        [populated().toJSON()],
        {},
        { version: 2, selfId: SELF, conversations: [] },
        { version: '1', selfId: SELF, conversations: [] },
        { version: 1, selfId: SELF, conversations: 'nope' },
        { version: 1, selfId: SELF, conversations: { 0: { id: 'all' }, length: 1 } },
        { version: 1, selfId: SELF, conversations: [null, 1, 'x', [], { id: 5 }, { id: 'all', messages: 'x' }] },
        JSON.parse(
          `{"__proto__": {"polluted": true}, "version": 1, "selfId": "${SELF}", "conversations": [{"__proto__": {"polluted": true}, "id": "__proto__", "unread": 1, "lastActivity": 1, "messages": []}]}`,
        ),
        new Proxy(
          {},
          {
            get() {
              throw new Error('hostile getter');
            },
            has() {
              throw new Error('hostile has');
            },
            ownKeys() {
              throw new Error('hostile keys');
            },
          },
        ),
      ];
      for (const value of hostile) {
        const store = ConversationStore.fromJSON(value, { selfId: SELF });
        assert.deepEqual(
          store.conversations.map((c) => c.id),
          ['all'],
        );
        assert.equal(store.unreadTotal, 0);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    });

    it('keeps the valid parts of partly corrupt input', function () {
      const good = { id: 'ok', from: ALICE, fromName: 'alice', text: 'fine', ts: T0, own: false, state: 'delivered' };
      const value = {
        version: 1,
        selfId: SELF,
        conversations: [
          {
            id: `peer:${ALICE}`,
            unread: -5,
            lastActivity: 'yesterday',
            messages: [
              good,
              { ...good, id: 'ok' }, // duplicate
              { ...good, id: 'bad-ts', ts: -1 },
              { ...good, id: 'bad-from', from: 'not an id' },
              { ...good, id: 'bad-state', state: 'read' },
              { ...good, id: 'bad-text', text: 42 },
              { ...good, id: 'huge-text', text: 'x'.repeat(300 * 1024) },
              { ...good, id: 'bad-code', code: { path: '', startLine: 0 } },
              { ...good, id: '' },
              null,
              'message',
              { ...good, id: 'not-own', own: true, state: 'failed', error: 'lie' },
              { ...good, id: 'own-no-ref', from: SELF, own: true, state: 'pending' },
              { ...good, id: 'own-ref', from: SELF, own: false, state: 'pending', ref: 'r1' },
              { ...good, id: 'own-dup-ref', from: SELF, own: true, state: 'pending', ref: 'r1', ts: T0 + 1 },
              { ...good, id: 'failed-dup-ref', from: SELF, own: true, state: 'failed', error: 'no', ref: 'r1', ts: T0 + 1 },
              { ...good, id: 'long-ref', from: SELF, own: true, state: 'pending', ref: 'r'.repeat(65), ts: T0 + 1 },
              JSON.parse(
                `{"__proto__": {"own": true}, "id": "proto", "from": "${ALICE}", "fromName": "a", "text": "t", "ts": ${T0 + 2}, "own": false, "state": "delivered"}`,
              ),
            ],
          },
          { id: `group:${ALICE},${SELF}`, unread: 1, lastActivity: T0, messages: [good] }, // self is never a member
          { id: `group:${ALICE},${CAROL}`, unread: 1, lastActivity: T0, messages: 'not an array' },
          { id: `group:${BOB},${ALICE}`, unread: 1, lastActivity: T0, messages: [good] },
          { id: `peer:${ALICE}`, unread: 9, lastActivity: T0, messages: [{ ...good, id: 'second copy' }] },
          { id: 'all', unread: 1e12, lastActivity: T0, messages: [{ ...good, id: 'e1', seq: 5 }] },
        ],
      };
      const store = ConversationStore.fromJSON(value, { selfId: SELF });
      assert.deepEqual(store.conversations.map((c) => c.id).sort(), ['all', `peer:${ALICE}`]);
      const alice = store.get(`peer:${ALICE}`)!;
      assert.deepEqual(
        alice.messages.map((m) => [m.id, m.own, m.state, m.ref, m.error]),
        [
          ['ok', false, 'delivered', undefined, undefined],
          ['not-own', false, 'delivered', undefined, undefined],
          ['own-no-ref', true, 'failed', undefined, 'not sent'],
          ['own-ref', true, 'pending', 'r1', undefined],
          ['own-dup-ref', true, 'failed', undefined, 'not sent'],
          ['failed-dup-ref', true, 'failed', undefined, 'no'],
          ['proto', false, 'delivered', undefined, undefined],
        ],
      );
      assert.equal(alice.unread, 0, 'a negative count is dropped to 0');
      assert.ok(alice.lastActivity >= T0);
      assert.equal(store.unreadOf('all'), 1, 'counts come from the messages held, whatever count was saved');
    });

    it('reads huge arrays only as far as the limits', function () {
      const one = { id: 'm', from: ALICE, fromName: 'alice', text: 't', ts: T0, own: false, state: 'delivered' };
      // Entries before the newest 50 must not even be looked at.
      let touched = 0;
      const trap = { ...one };
      Object.defineProperty(trap, 'id', { enumerable: true, get: () => (touched++, 'trap') });
      const messages: unknown[] = new Array(1_000_000).fill(trap);
      for (let i = messages.length - 50; i < messages.length; i++) messages[i] = { ...one, id: `m${i}`, seq: i };
      const conversations: unknown[] = new Array(1_000_000).fill({ id: 'garbage', unread: 0, lastActivity: 0, messages: [] });
      conversations[0] = { id: `peer:${ALICE}`, unread: 0, lastActivity: T0, messages };
      const store = ConversationStore.fromJSON(
        { version: 1, selfId: SELF, conversations },
        { selfId: SELF, maxMessagesPerConversation: 50, maxConversations: 10 },
      );
      const alice = store.get(`peer:${ALICE}`)!;
      assert.equal(touched, 0);
      assert.equal(alice.messages.length, 50);
      assert.equal(alice.messages[49].id, 'm999999');
      assert.equal(store.conversations.length, 2);
    });

    it('keeps at most maxConversations when restoring', function () {
      const value: PersistedConversations = { version: 1, selfId: SELF, conversations: [] };
      for (let i = 0; i < 20; i++) {
        const id = `P${String(i).padStart(2, '0')}`.repeat(6);
        value.conversations.push({ id: `peer:${id}`, unread: 1, lastActivity: T0 + i, messages: [] });
      }
      const store = ConversationStore.fromJSON(value, { selfId: SELF, maxConversations: 5 });
      assert.equal(store.conversations.length, 5);
      assert.ok(store.has('all'));
    });
  });
});
