// What the relay cluster tests share: relays joined through a real nats-server, clients that
// meet on every relay, and a TCP proxy that can send a client to another relay (a load balancer).
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { generateIdentity } from '../../src/net/identity';
import type { Relay } from '../../src/server/relay';
import { Cleanup, connectClient, HOST, startRelay, TestClient, TestClientOptions, TestRelayOptions, waitUntil } from '../unit/helpers/loopback';
import { NatsCluster, startNats } from './natsServers';

/** A relay of the cluster on a free loopback port, stopped by `cleanup`. */
export function startClusterRelay(cleanup: Cleanup, nats: NatsCluster, options: TestRelayOptions = {}): Promise<Relay> {
  return startRelay(cleanup, { cluster: { servers: nats.urls, replicas: 1 }, ...options });
}

/** Two relays on a fresh one-node nats-server for each test of the describe block calling it. */
export function useTwoClusterRelays(cleanup: Cleanup): { readonly a: Relay; readonly b: Relay; readonly nats: NatsCluster } {
  let nats: NatsCluster | undefined;
  let a: Relay | undefined;
  let b: Relay | undefined;
  beforeEach(async () => {
    nats = await startNats({ nodes: 1 });
    a = await startClusterRelay(cleanup, nats);
    b = await startClusterRelay(cleanup, nats);
  });
  // Runs after useCleanup's hook (hooks run in the order they were defined): relays stop first.
  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the cluster starts in beforeEach');
    return value;
  };
  return {
    get a() {
      return started(a);
    },
    get b() {
      return started(b);
    },
    get nats() {
      return started(nats);
    },
  };
}

/**
 * Connects a client to `home` after its identity has been seen once on each of `others`, so
 * every relay knows it as a peer (a direct message to an unknown peer is refused; presence
 * across relays is another part's job).
 */
export async function connectKnownEverywhere(cleanup: Cleanup, home: Relay, others: Relay[], options: TestClientOptions): Promise<TestClient> {
  const identity = options.identity ?? generateIdentity();
  for (const other of others) {
    const visit = await connectClient(cleanup, other.address().port, { ...options, identity });
    await visit.close();
  }
  return connectClient(cleanup, home.address().port, { ...options, identity });
}

/** Polls `check` until it holds (for state without events, e.g. the engine's reachability). */
export function eventually(check: () => boolean, label: string, ms = 10_000): Promise<true> {
  const ticker = new EventEmitter();
  const timer = setInterval(() => ticker.emit('tick'), 50);
  return waitUntil(() => check() || undefined, ticker, ['tick'], label, ms).finally(() => clearInterval(timer));
}

/**
 * A TCP proxy in front of one relay of the cluster that can be pointed at another (what a load
 * balancer does when a relay goes away) and can drop what the relay sends (lost acks).
 */
export class SwitchingProxy {
  port = 0;
  /** Bytes from the relay are dropped instead of forwarded. */
  swallowDownstream = false;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private readonly server = net.createServer((client) => this.accept(client));

  private constructor(public targetPort: number) {}

  static async start(cleanup: Cleanup, targetPort: number): Promise<SwitchingProxy> {
    const proxy = new SwitchingProxy(targetPort);
    await new Promise<void>((resolve, reject) => proxy.server.once('error', reject).listen(0, HOST, () => resolve()));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    cleanup.add('switching proxy', () => proxy.close());
    return proxy;
  }

  /** From now on connections go to `port`; the ones open now are cut (the client reconnects). */
  switchTo(port: number): void {
    this.targetPort = port;
    this.swallowDownstream = false;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.switchTo(this.targetPort);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect({ host: HOST, port: this.targetPort });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!this.swallowDownstream) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('close', end);
    upstream.on('close', end);
  }
}
