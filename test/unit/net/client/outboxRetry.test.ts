import * as assert from 'node:assert/strict';
import { Outbox } from '../../../../src/net/client/outbox';
import { ErrorCode, TeamMessengerError } from '../../../../src/net/protocol/errors';
import type { Ack, ClientMessage } from '../../../../src/net/protocol/messages';

/** Writes recorded by ref, in order. */
function recorder(): { writes: string[]; write: (m: ClientMessage) => void } {
  const writes: string[] = [];
  return { writes, write: (m) => writes.push(m.t === 'send' ? m.ref : m.t) };
}

const ACK = (ref: string): Ack => ({ t: 'ack', ref, id: 'e-1', seq: 1, ts: 0, reached: 0, online: [], offline: [] });

describe('outbox: retryable refusals (UNAVAILABLE)', () => {
  it('keeps a message refused as UNAVAILABLE and writes it again later, until it is acked', async () => {
    const outbox = new Outbox();
    const { writes, write } = recorder();
    let settled = false;
    const acked = outbox.add(['AAAAAAAAAAAAAAAAAAAAAA'], 'hello', { ref: 'r1' }, write).finally(() => (settled = true));
    assert.deepEqual(writes, ['r1']);
    assert.equal(outbox.refuse('r1', new TeamMessengerError(ErrorCode.Unavailable, 'engine away')), true);
    assert.equal(outbox.length, 1, 'still waiting');
    assert.equal(outbox.pending[0].state, 'queued');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(writes, ['r1', 'r1'], 'written again after the first wait');
    assert.equal(settled, false);
    assert.equal(outbox.acknowledge(ACK('r1')), true);
    assert.equal((await acked).ref, 'r1');
    assert.equal(outbox.length, 0);
  });

  it('still fails a message on any other refusal, and a close cancels a waiting retry', async () => {
    const outbox = new Outbox();
    const { writes, write } = recorder();
    const refused = outbox.add(['AAAAAAAAAAAAAAAAAAAAAA'], 'x', { ref: 'r2' }, write);
    outbox.refuse('r2', new TeamMessengerError(ErrorCode.NoSuchPeer, 'nobody'));
    await assert.rejects(refused, (err: TeamMessengerError) => err.code === ErrorCode.NoSuchPeer);

    const waiting = outbox.add(['AAAAAAAAAAAAAAAAAAAAAA'], 'y', { ref: 'r3' }, write);
    outbox.refuse('r3', new TeamMessengerError(ErrorCode.Unavailable, 'engine away'));
    outbox.failAll(new TeamMessengerError(ErrorCode.Closed, 'closed'));
    await assert.rejects(waiting, (err: TeamMessengerError) => err.code === ErrorCode.Closed);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(writes, ['r2', 'r3'], 'no retry after the close');
  });

  it('a disconnect drops a waiting retry: nothing is written on the next connection before its welcome', async () => {
    const outbox = new Outbox();
    const { writes, write } = recorder();
    const pending = outbox.add(['AAAAAAAAAAAAAAAAAAAAAA'], 'z', { ref: 'r4' }, write).catch((err: TeamMessengerError) => err.code);
    outbox.refuse('r4', new TeamMessengerError(ErrorCode.Unavailable, 'engine away'));
    outbox.requeueAll();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(writes, ['r4'], 'the retry did not write on its own after the disconnect');
    const next = recorder();
    outbox.transmitAll(next.write);
    assert.deepEqual(next.writes, ['r4'], 'the welcome sends it, once');
    outbox.failAll(new TeamMessengerError(ErrorCode.Closed, 'closed'));
    assert.equal(await pending, ErrorCode.Closed);
  });
});
