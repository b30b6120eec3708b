// The chaos test's people: real TeamClients spread over the cluster's relays, each counting every
// chat message the relay hands it (before the client's own dedupe by seq, which would hide a
// duplicate) and moving to the next relay when theirs goes away (a client with an address list).
import { TeamClient } from '../../src/net/client/teamClient';
import type { ClientOptions } from '../../src/net/client/clientTypes';
import { generateIdentity } from '../../src/net/identity';
import { silentLogger } from '../../src/net/logger';
import type { RelayMessage } from '../../src/net/protocol/messages';
import { RELAY_HOST, RELAY_SECRET } from './relayProcesses';

/** A chat message as it arrived on the wire. */
export interface RawDelivery {
  seq: number;
  text: string;
  from: string;
  /** performance.now() when it arrived (the cluster bench times deliveries with it). */
  at: number;
}

export class ChaosClient {
  readonly client: TeamClient;
  readonly deliveries: RawDelivery[] = [];
  /** When each connection was welcomed, and to which relay (index into the relay ports). */
  readonly welcomes: { at: number; relay: number }[] = [];
  /** When each connection was lost, and why (the client's error code and text). */
  readonly losses: { at: number; why: string }[] = [];
  private readonly options: ClientOptions;
  /** The relay moveTo() sends this client to: it is cut off each other relay until it lands there. */
  private sentTo: number | undefined;

  constructor(
    readonly index: number,
    private readonly relayPorts: number[],
    home: number,
  ) {
    // Its home relay first, then the others in turn: what a client given the cluster's addresses tries.
    const others = relayPorts.map((_, i) => relayPorts[(home + i) % relayPorts.length]).slice(1);
    this.options = {
      host: RELAY_HOST,
      port: relayPorts[home],
      alternates: others.map((port) => ({ host: RELAY_HOST, port })),
      name: `c${index}`,
      machine: 'chaos',
      identity: generateIdentity(),
      secret: RELAY_SECRET,
      tls: false,
      reconnect: true,
      maxPending: 100_000,
      logger: silentLogger,
    };
    this.client = new TeamClient(this.options);
    this.tapRawMessages();
    this.client.on('state', (state) => {
      if (state !== 'connected') return;
      this.welcomes.push({ at: Date.now(), relay: this.relay });
      if (this.sentTo === undefined || this.sentTo === this.relay) this.sentTo = undefined;
      else this.cut(); // not there yet: on to the next address
    });
    // The client itself moves on to its next address (teamClient.ts, relayAddresses.ts).
    this.client.on('disconnected', (error) => this.losses.push({ at: Date.now(), why: `${error.code}: ${error.message}` }));
  }

  /**
   * Cuts this client's connection, again at each other relay it lands on, until it is welcomed
   * (with its bookmark) at `relay`: what a load balancer does to spread people onto a relay that
   * came back.
   */
  moveTo(relay: number): void {
    this.sentTo = relay;
    this.cut();
  }

  private cut(): void {
    const connection = (this.client as unknown as { connection?: { socket: { destroy(): void } } }).connection;
    connection?.socket.destroy();
  }

  get clientId(): string {
    return this.options.identity.clientId;
  }

  /** Index of the relay this client is (or will next be) connected to. */
  get relay(): number {
    return this.relayPorts.indexOf(this.client.relayAddress.port);
  }

  get connected(): boolean {
    return this.client.state === 'connected';
  }

  /** Identities this client's roster shows online (itself left out). */
  onlineIds(): Set<string> {
    const ids = new Set<string>();
    for (const peer of this.client.peers.values()) if (peer.clientId !== this.clientId) ids.add(peer.clientId);
    return ids;
  }

  /**
   * Wraps the client's private handler of relay messages: the client drops a message whose seq
   * it has seen, which is right for a user and exactly what would hide a duplicate here.
   */
  private tapRawMessages(): void {
    const target = this.client as unknown as { onMessage(message: RelayMessage): void };
    const original = target.onMessage.bind(this.client);
    target.onMessage = (message: RelayMessage) => {
      if (message.t === 'message') this.deliveries.push({ seq: message.seq, text: message.text, from: message.from, at: performance.now() });
      original(message);
    };
  }
}

/** Creates `count` clients, client i homed on relay i mod relays, and connects them in batches. */
export async function connectFleet(count: number, relayPorts: number[], batch = 25, homeOf = (i: number) => i % relayPorts.length): Promise<ChaosClient[]> {
  const clients = Array.from({ length: count }, (_, i) => new ChaosClient(i, relayPorts, homeOf(i)));
  for (let i = 0; i < clients.length; i += batch) {
    await Promise.all(clients.slice(i, i + batch).map((c) => c.client.connect()));
  }
  return clients;
}

export async function closeFleet(clients: ChaosClient[]): Promise<void> {
  await Promise.all(clients.map((c) => Promise.race([c.client.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))])));
}
