import { strict as assert } from 'node:assert';
import { silentLogger } from '../../../src/net/logger';
import { FlowControl } from '../../../src/server/flowControl';
import type { PauseReason, Session } from '../../../src/server/session';

/** What FlowControl's turn keeping touches on a session, and a record of its pauses. */
class FakeSession {
  state: 'handshake' | 'ready' | 'closed' = 'ready';
  readBytes = 0;
  bytesThisTurn = 0;
  turnStartedAt = 0;
  messagesThisRead = 0;
  readonly pauses = new Set<PauseReason>();
  readonly log: string[] = [];

  isPausedFor(reason: PauseReason): boolean {
    return this.pauses.has(reason);
  }
  pauseReading(reason: PauseReason): void {
    this.pauses.add(reason);
    this.log.push(`pause ${reason}`);
  }
  resumeReading(reason: PauseReason): void {
    if (!this.pauses.delete(reason)) return;
    this.log.push(`resume ${reason}`);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FlowControl: turns inside a read', () => {
  let now = 0;
  let flow: FlowControl;
  const session = (s: FakeSession) => s as unknown as Session;

  beforeEach(() => {
    now = 1000;
    flow = new FlowControl(
      { maxQueuedBytes: 1 << 20, backpressureBytes: 1 << 19, slowConsumerGraceMs: 1000, turnBudgetMs: 0.5, clock: () => now },
      silentLogger,
    );
  });

  /** A read from `s` with a message in it: someone talking. */
  function talk(s: FakeSession, bytes: number): void {
    flow.readStarting(session(s), bytes);
    flow.messageStarting(session(s), true);
  }

  /** One control message from `s` that takes `ms` to handle; true if it gave up its turn. */
  function message(s: FakeSession, ms: number): boolean {
    flow.messageStarting(session(s), true);
    now += ms;
    s.messagesThisRead++;
    const before = s.isPausedFor('turn');
    flow.messageHandled(session(s));
    return !before && s.isPausedFor('turn');
  }

  it('a full read gives up its turn once its messages took the budget while someone else talks, and goes on at the next turn of the event loop', async () => {
    const flooder = new FakeSession();
    const other = new FakeSession();
    talk(other, 200);
    flow.readStarting(session(flooder), 64 * 1024);
    assert.equal(message(flooder, 0.2), false, 'within the budget');
    assert.equal(message(flooder, 0.2), false, 'still within it (0.4 ms)');
    assert.equal(message(flooder, 0.2), true, 'past it (0.6 ms): the rest of the read waits');
    await nextTurn();
    assert.deepEqual(flooder.log, ['pause turn', 'resume turn']);
    flow.endTurn(session(flooder), 0); // what the connection reports after handing out held frames
    assert.equal(message(flooder, 0.3), false, 'a new turn, a new budget');
    assert.equal(message(flooder, 0.3), true);
  });

  it('a short read is handled whole, however long its messages take', () => {
    const chatter = new FakeSession();
    const other = new FakeSession();
    talk(other, 200);
    flow.readStarting(session(chatter), 16 * 1024 - 1);
    for (let i = 0; i < 20; i++) assert.equal(message(chatter, 1), false, `message ${i}`);
    assert.deepEqual(chatter.log, []);
  });

  it('gives up no turn while nobody else has talked for a while; does so once someone talks again', () => {
    const broadcaster = new FakeSession();
    const member = new FakeSession();
    talk(member, 100);
    now += 21; // the member's message is older than OTHERS_ACTIVE_MS
    flow.readStarting(session(broadcaster), 40 * 1024);
    for (let i = 0; i < 10; i++) assert.equal(message(broadcaster, 0.4), false, `message ${i}: nobody is waiting`);
    talk(member, 100);
    flow.readStarting(session(broadcaster), 40 * 1024);
    assert.equal(message(broadcaster, 0.1), false, 'a fresh budget');
    assert.equal(message(broadcaster, 0.5), true, 'someone else is talking now');
  });

  it('its own messages do not count as someone else talking', () => {
    const flooder = new FakeSession();
    for (let read = 0; read < 5; read++) {
      flow.readStarting(session(flooder), 64 * 1024);
      for (let i = 0; i < 5; i++) assert.equal(message(flooder, 0.3), false, `read ${read} message ${i}`);
      flow.endTurn(session(flooder), 64 * 1024);
      flooder.messagesThisRead = 0;
    }
    assert.deepEqual(flooder.log, []);
  });

  it('a closed connection or one already paused for its turn is left as it is', () => {
    const flooder = new FakeSession();
    const other = new FakeSession();
    talk(other, 100);
    flow.readStarting(session(flooder), 64 * 1024);
    flooder.state = 'closed';
    assert.equal(message(flooder, 1), false);
    flooder.state = 'ready';
    flooder.pauses.add('turn');
    flow.messageStarting(session(flooder), true);
    now += 1;
    flow.messageHandled(session(flooder));
    assert.deepEqual(flooder.log, [], 'no second pause, no second resume scheduled');
  });

  it('a full read of many messages ends the turn (one read per turn) whoever else talks; a short one never does', async () => {
    const flooder = new FakeSession();
    flooder.messagesThisRead = 40;
    flow.readStarting(session(flooder), 64 * 1024);
    flow.endTurn(session(flooder), 64 * 1024);
    assert.deepEqual(flooder.log, ['pause turn']);
    await nextTurn();
    assert.deepEqual(flooder.log, ['pause turn', 'resume turn']);
    const chatter = new FakeSession();
    chatter.messagesThisRead = 40;
    flow.readStarting(session(chatter), 4 * 1024);
    flow.endTurn(session(chatter), 4 * 1024);
    assert.deepEqual(chatter.log, []);
  });

  /** A read of file data (no control message in it) from `s`; true if it ended the turn. */
  function fileRead(s: FakeSession, bytes: number): boolean {
    flow.readStarting(session(s), bytes);
    flow.endTurn(session(s), bytes);
    const paused = s.isPausedFor('turn');
    s.pauses.delete('turn'); // the next turn of the event loop, without waiting for it
    return paused;
  }

  it('file data ends its turn every 64 KiB of full reads while someone else talks, and gives nothing up while nobody does', () => {
    const sender = new FakeSession();
    const chatter = new FakeSession();
    for (let i = 0; i < 5; i++) assert.equal(fileRead(sender, 64 * 1024), false, `read ${i}: nobody else has talked`);
    talk(chatter, 150);
    for (let i = 0; i < 5; i++) assert.equal(fileRead(sender, 64 * 1024), true, `read ${i}: the chatter talked ${i} reads ago`);
    now += 21; // the chatter's message is older than OTHERS_ACTIVE_MS
    assert.equal(fileRead(sender, 64 * 1024), false, 'nobody has talked for a while');
  });

  it("a receiver's credit is not someone talking: a transfer alone goes at Node's pace", () => {
    const sender = new FakeSession();
    const receiver = new FakeSession();
    for (let i = 0; i < 8; i++) {
      flow.readStarting(session(receiver), 60);
      flow.messageStarting(session(receiver), false);
      assert.equal(fileRead(sender, 64 * 1024), false, `read ${i}`);
    }
    talk(receiver, 150);
    assert.equal(fileRead(sender, 64 * 1024), true, 'a message of any other kind is');
  });

  it('counts file data across reads: four 16 KiB TLS records make a turn, a short read starts the count again', () => {
    const sender = new FakeSession();
    const chatter = new FakeSession();
    talk(chatter, 150);
    const turns = Array.from({ length: 8 }, () => fileRead(sender, 16 * 1024));
    assert.deepEqual(turns, [false, false, false, true, false, false, false, true]);
    assert.equal(fileRead(sender, 32 * 1024), false);
    assert.equal(fileRead(sender, 16 * 1024 - 1), false, 'a short read: the peer had sent no more');
    assert.equal(fileRead(sender, 32 * 1024), false, 'a new count');
    assert.equal(fileRead(sender, 32 * 1024), true);
  });
});
