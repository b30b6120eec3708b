// The harness the other cluster tests stand on: real nats-server nodes come up, replicate a stream
// and keep it across a kill -9 and restart of a node.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { NatsCluster, natsServerBinary, startNats } from './natsServers';

/** Retries a deduplicated publish while the stream elects a new leader or the client reconnects. */
async function publishRetrying(publish: () => Promise<unknown>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await publish();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Asks for the stream's info until it counts `messages`, or fails with the last count seen. */
async function untilStreamHolds(info: () => Promise<StreamInfo>, messages: number, timeoutMs = 20_000): Promise<StreamInfo> {
  const deadline = Date.now() + timeoutMs;
  let last: StreamInfo | undefined;
  for (;;) {
    last = await info().catch(() => last);
    if (last?.state.messages === messages) return last;
    if (Date.now() > deadline) {
      assert.fail(`the stream holds ${last?.state.messages ?? 'no answer'} messages, not ${messages}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('natsServers (real nats-server)', function () {
  this.timeout(90_000);
  let cluster: NatsCluster | undefined;
  let nc: NatsConnection | undefined;

  afterEach(async () => {
    await nc?.close();
    nc = undefined;
    await cluster?.stop();
    cluster = undefined;
  });

  it('starts one JetStream node and removes its store dir on stop', async () => {
    cluster = await startNats({ nodes: 1 });
    assert.equal(cluster.urls.length, 1);
    const single: NatsConnection = await connect({ servers: cluster.urls[0] });
    const info = await (await jetstreamManager(single)).getAccountInfo();
    await single.close();
    assert.equal(info.streams, 0);
    const storeDir = cluster.nodes[0]!.storeDir;
    assert.equal(fs.existsSync(storeDir), true);
    await cluster.stop();
    cluster = undefined;
    assert.equal(fs.existsSync(storeDir), false);
  });

  it('starts core NATS without JetStream', async () => {
    cluster = await startNats({ nodes: 1, jetstream: false });
    nc = await connect({ servers: cluster.urls[0] });
    await assert.rejects(jetstreamManager(nc, { timeout: 1000 }));
  });

  it('keeps a 3-replica stream across kill -9 and restart of a node', async () => {
    cluster = await startNats({ nodes: 3 });
    assert.equal(new Set(cluster.urls).size, 3);
    nc = await connect({ servers: cluster.urls });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'], num_replicas: 3 });
    const js = jetstream(nc);
    await js.publish('harness.a', 'one', { msgID: 'm1' });

    const victim = 1;
    const oldPid = cluster.nodes[victim]!.pid;
    await cluster.kill9(victim);
    assert.throws(() => process.kill(oldPid, 0), 'the killed node is gone');
    // Two of three replicas remain: the stream still takes writes.
    await publishRetrying(() => js.publish('harness.a', 'two', { msgID: 'm2' }));
    await cluster.restart(victim);
    assert.notEqual(cluster.nodes[victim]!.pid, oldPid);

    const onRestarted: NatsConnection = await connect({ servers: cluster.urls[victim] });
    try {
      const jsmR = await jetstreamManager(onRestarted);
      // Right after the restart the stream may still be electing or catching the node up, and an
      // info answered then can count one message: ask until both are there.
      const info = await untilStreamHolds(() => jsmR.streams.info('HARNESS'), 2);
      assert.equal(info.config.num_replicas, 3);
      assert.equal((await jsmR.streams.getMessage('HARNESS', { seq: 1 }))?.string(), 'one');
      assert.equal((await jsmR.streams.getMessage('HARNESS', { seq: 2 }))?.string(), 'two');
    } finally {
      await onRestarted.close();
    }
  });

  it('says how to install nats-server when it is missing', () => {
    assert.throws(() => natsServerBinary(['/nonexistent']), /apt-get install nats-server/);
  });
});
