// The bench's NATS peer (bench/lib/natsSystem.ts) against a real nats-server: a pair and a
// broadcast carry the stamped 100-byte text the load generator times.
import * as assert from 'node:assert/strict';
import { readStamp } from '../../bench/lib/common';
import { NatsSystem } from '../../bench/lib/natsSystem';
import { NatsCluster, startNats } from './natsServers';

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('bench NATS peer (real nats-server)', function () {
  this.timeout(60_000);
  let cluster: NatsCluster | undefined;
  let sys: NatsSystem | undefined;

  beforeEach(async () => {
    cluster = await startNats({ nodes: 1, jetstream: false });
    sys = new NatsSystem(Number(new URL(cluster.urls[0]!).port));
  });

  afterEach(async () => {
    sys?.close();
    sys = undefined;
    await cluster?.stop();
    cluster = undefined;
  });

  it('delivers a stamped message to its pair only', async () => {
    const stamps: number[] = [];
    const mine = await sys!.receiver('pair', (buf, start, end) => stamps.push(readStamp(buf, start, end)));
    const other = await sys!.receiver('pair', () => assert.fail('the other pair got a message'));
    assert.notEqual(mine.target, other.target);
    const sender = await sys!.sender(mine.target);
    sender.send(123_456);
    await until(() => mine.received === 1, 'the message');
    assert.deepEqual(stamps, [123_456]);
    assert.equal(other.received, 0);
    assert.equal(sender.isOpen() && mine.isOpen(), true);
  });

  it('fans a broadcast out to every "all" receiver', async () => {
    const receivers = await Promise.all([1, 2, 3].map(() => sys!.receiver('all', () => undefined)));
    const sender = await sys!.sender('all');
    sender.send(1);
    sender.send(2);
    await until(() => receivers.every((r) => r.received === 2), 'every delivery');
  });

  it('refuses the W6 hooks it cannot honour, with a clear error', async () => {
    const receiver = await sys!.receiver('pair', () => undefined);
    assert.throws(() => receiver.throttle(1000), /W1–W3 only/);
    const sender = await sys!.sender(receiver.target);
    assert.throws(() => sender.backlog(), /W1–W3 only/);
  });
});
