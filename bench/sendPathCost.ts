/**
 * Experiments only: the relay's own work per chat message, without the kernel's. Two bench
 * clients connect to a relay over loopback; then the sender's session is handed decoded payloads
 * directly and every frame the relay would write is dropped, so what is timed is decoding,
 * routing, framing, the ack and the history — the part of a message's cost a change to the relay
 * moves, measured in CPU time, which a shared machine's stolen slices do not count.
 * sendPathAB.ts times several builds of it side by side (bench/NOTES.md).
 */
import { createStreamLogger } from '../src/net/logger';
import { HEADER_BYTES } from '../src/net/protocol/frame';
import { Relay } from '../src/server/relay';
import { BENCH_SECRET } from './lib/systems';
import { SendTemplate, TmClient } from './lib/tmClient';

/** The relay's parts this reaches past its interface to (the same in every build since 01ad349). */
interface RelayInternals {
  sessions: Map<number, { clientId: string; connection: Record<string, unknown> }>;
  connectionOptions: { decode(payload: Buffer): unknown };
  sessionEvents: { message(session: unknown, message: unknown): void };
}

export interface SendPathCost {
  /** Relays `n` direct messages; CPU nanoseconds per message. */
  batch(n: number): number;
  stop(): Promise<void>;
}

export async function setup(): Promise<SendPathCost> {
  const relay = new Relay({
    host: '127.0.0.1',
    port: 0,
    auth: { secret: BENCH_SECRET },
    messagesPerSecond: 0,
    textBytesPerSecond: 0,
    tls: false,
    logger: createStreamLogger((line) => process.stderr.write(line), 'warn'),
  });
  const { port } = await relay.start();
  const options = { host: '127.0.0.1', port, secret: BENCH_SECRET, timeoutMs: 10_000 };
  const receiver = await TmClient.connect({ ...options, name: 'receiver' });
  const sender = await TmClient.connect({ ...options, name: 'sender' });
  const internals = relay as unknown as RelayInternals;
  const sessionOf = async (clientId: string) => {
    for (let tries = 0; tries < 100; tries++) {
      for (const session of internals.sessions.values()) if (session.clientId === clientId) return session;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no session for ${clientId}`);
  };
  const from = await sessionOf(sender.clientId);
  const to = await sessionOf(receiver.clientId);
  for (const session of [from, to]) {
    for (const write of ['send', 'sendEncoded', 'sendEncodedLazy', 'sendEncodedParts']) session.connection[write] = () => undefined;
  }
  const template = new SendTemplate([receiver.clientId]);
  const decode = (payload: Buffer) => internals.connectionOptions.decode(payload);
  const handle = (message: unknown) => internals.sessionEvents.message(from, message);
  let seq = 0;
  return {
    batch(n: number): number {
      const payloads: Buffer[] = [];
      for (let i = 0; i < n; i++) payloads.push(template.make(++seq, 1_000_000 + seq).subarray(HEADER_BYTES));
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) handle(decode(payloads[i]));
      const used = process.cpuUsage(start);
      return ((used.user + used.system) * 1000) / n;
    },
    async stop() {
      sender.close();
      receiver.close();
      await relay.stop();
    },
  };
}
