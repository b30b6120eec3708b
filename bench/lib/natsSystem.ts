import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { makeText } from './common';

import type { OnMessage, Receiver, Sender, System } from './systemBase';
import { HOST } from './systemBase';

/**
 * nats-server driven over core NATS (no JetStream: at-most-once pub/sub, like MQTT QoS 0) through
 * the official client, @nats-io/transport-node, as the MQTT brokers are through mqtt.js: each
 * broker with the client its users would run (bench/NOTES.md, "NATS as a peer", says why).
 * One connection per receiver and per sender, as for every other system.
 */
export class NatsSystem implements System {
  readonly name = 'nats';
  private readonly connections = new Set<NatsConnection>();
  private n = 0;

  constructor(private readonly port: number) {}

  private async connect(): Promise<NatsConnection> {
    // Typed by hand: transport-node re-exports its types from a subpath "node" resolution cannot see.
    const nc: NatsConnection = await connect({
      servers: `${HOST}:${this.port}`,
      name: `b${process.pid}-${this.n++}`,
      // A failed run must fail, not reconnect behind the load generator's back.
      reconnect: false,
      timeout: 60_000,
    });
    this.connections.add(nc);
    return nc;
  }

  async receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver> {
    const nc = await this.connect();
    const subject = group === 'all' ? 'bench.all' : `bench.p.${this.n++}`;
    const receiver: Receiver = {
      target: subject,
      received: 0,
      throttle: () => {
        throw new Error('nats runs in W1–W3 only: it has no throttled reader (W6)');
      },
      isOpen: () => !nc.isClosed(),
      close: () => void nc.close(),
    };
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        receiver.received++;
        // A Buffer view of the payload (no copy): readStamp searches it with Buffer.indexOf.
        const data = msg.data;
        on(Buffer.from(data.buffer, data.byteOffset, data.byteLength), 0, data.byteLength);
      },
    });
    // The subscription is known to the server before any sender is made.
    await nc.flush();
    return receiver;
  }

  async sender(target: string): Promise<Sender> {
    const nc = await this.connect();
    const subject = target === 'all' ? 'bench.all' : target;
    return {
      send: (stampUs) => nc.publish(subject, makeText(stampUs)),
      backlog: () => {
        throw new Error('nats runs in W1–W3 only: no workload there asks for a sender backlog');
      },
      isOpen: () => !nc.isClosed(),
      close: () => void nc.close(),
    };
  }

  close(): void {
    for (const nc of this.connections) void nc.close();
    this.connections.clear();
  }
}
