// The chat log on a real one-node JetStream: one stream whose seqs number messages, deduplicated
// by message id, read back in order from any seq, with an epoch that names the stream's incarnation.
import * as assert from 'node:assert/strict';
import { silentLogger } from '../../src/net/logger';
import { ChatLog, ChatLogLimits } from '../../src/server/cluster/chatLog';
import { ClusterEngine } from '../../src/server/cluster/natsEngine';
import { CHAT_STREAM } from '../../src/server/cluster/names';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsCluster, startNats } from './natsServers';

const LIMITS: ChatLogLimits = { maxEntries: 1000, maxAgeMs: 3600_000, maxBytes: 16 * 1024 * 1024, replicas: 1 };

/** Reads `count` messages from `fromSeq` with the log's one ordered consumer. */
function readBack(log: ChatLog, fromSeq: number, count: number): Promise<{ seq: number; text: string }[]> {
  const got: { seq: number; text: string }[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${count} messages`)), 10_000);
    log.follow(fromSeq, (seq, data) => {
      got.push({ seq, text: Buffer.from(data).toString() });
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('chat log (real nats-server)', function () {
  this.timeout(60_000);
  let nats: NatsCluster | undefined;
  const engines: ClusterEngine[] = [];
  const logs: ChatLog[] = [];

  async function open(): Promise<ChatLog> {
    const engine = await ClusterEngine.connect({ servers: nats!.urls, logger: silentLogger });
    engines.push(engine);
    const log = await ChatLog.open(engine, LIMITS, silentLogger);
    logs.push(log);
    return log;
  }

  beforeEach(async () => {
    nats = await startNats({ nodes: 1 });
  });

  afterEach(async () => {
    for (const log of logs.splice(0)) log.close();
    for (const engine of engines.splice(0)) await engine.close();
    await nats?.stop();
    nats = undefined;
  });

  it('numbers messages by the stream, stores a resend once, and reads them back in order', async () => {
    const log = await open();
    assert.equal(log.lastSeq, 0);
    const a = await log.publish(Buffer.from('one'), 'alice:r1');
    const b = await log.publish(Buffer.from('two'), 'bob:r1');
    const again = await log.publish(Buffer.from('one'), 'alice:r1');
    assert.deepEqual([a.seq, a.duplicate, b.seq, b.duplicate], [1, false, 2, false]);
    assert.deepEqual([again.seq, again.duplicate], [1, true], 'a resend is acknowledged with the original seq');
    await log.publish(Buffer.from('three'), 'alice:r2');
    assert.deepEqual(await readBack(log, 2, 2), [
      { seq: 2, text: 'two' },
      { seq: 3, text: 'three' },
    ]);
  });

  it('gives every relay the same epoch, and a new one when the stream is made again', async () => {
    const first = await open();
    const second = await open();
    assert.equal(first.epoch, second.epoch);
    await first.publish(Buffer.from('x'), 'a:1');
    const jsm = await jetstreamManager(engines[0].nc);
    await jsm.streams.delete(CHAT_STREAM);
    const third = await open();
    assert.notEqual(third.epoch, first.epoch);
    assert.equal(third.lastSeq, 0);
  });

  it('follows on after the engine restarts, from where it stopped', async () => {
    const log = await open();
    await log.publish(Buffer.from('before'), 'a:1');
    const got = readBack(log, 1, 2);
    await nats!.restart(0);
    // The publish may race the reconnect: retried with the same id, it is stored once.
    for (let i = 0; ; i++) {
      try {
        await log.publish(Buffer.from('after'), 'a:2');
        break;
      } catch (err) {
        if (i > 40) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    assert.deepEqual(await got, [
      { seq: 1, text: 'before' },
      { seq: 2, text: 'after' },
    ]);
  });
});
