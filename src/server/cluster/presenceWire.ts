import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { Joined, Left, PeerInfo, PeerUpdate } from '../../net/protocol/messages';

/**
 * What relays tell each other about their people over NATS, checked on the way in: another
 * relay's bug (or a stranger on the engine) must cost a log line, never a relay.
 *
 * Events carry `n`, the sending relay's count of changes, and so do its heartbeats and its KV
 * snapshot: a receiver that sees a gap (core NATS drops what a reconnect loses) reads the
 * snapshot again instead of guessing.
 */
const count = z.number().int().nonnegative();
const instance = z.string().max(64);

/** One connection as the other relays see it: its roster entry and its client process. */
export const RemoteConnection = z.object({ peer: PeerInfo, instance });
export type RemoteConnection = z.infer<typeof RemoteConnection>;

export const PresenceEvent = z.discriminatedUnion('t', [
  Joined.extend({ n: count, instance }),
  Left.extend({ n: count }),
  PeerUpdate.extend({ n: count }),
  /** The relay stops: its people are gone now, no need to wait for missed heartbeats. */
  z.object({ t: z.literal('bye'), n: count }),
  /** Not counted: a relay declared `relay` dead (so that relay, if it lives, writes its snapshot again). */
  z.object({ t: z.literal('dead'), relay: z.string().min(1).max(64) }),
]);
export type PresenceEvent = z.infer<typeof PresenceEvent>;
/** The events that count as one of the sender's changes. */
export type CountedEvent = Exclude<PresenceEvent, { t: 'dead' }>;

export const Heartbeat = z.object({ n: count });
export type Heartbeat = z.infer<typeof Heartbeat>;

export const Snapshot = z.object({ n: count, connections: z.array(RemoteConnection) });
export type Snapshot = z.infer<typeof Snapshot>;

/** Asks the owning relay to close these connections of one identity (replaced elsewhere). */
export const KickRequest = z.object({ clientId: z.string().max(64), ids: z.array(count).max(1000) });
export type KickRequest = z.infer<typeof KickRequest>;

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Parsed and checked, or an Error saying what was wrong. */
export function decodeJson<T>(schema: z.ZodType<T>, data: Uint8Array): T | Error {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    return new Error(`not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
}

// Snapshots are gzipped: a relay's roster is repetitive JSON, and NATS caps a message (1 MB by
// default) well below what thousands of entries take in plain text.
export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(snapshot), 'utf8'));
}

export function decodeSnapshot(data: Uint8Array): Snapshot | Error {
  let text: Uint8Array;
  try {
    text = gunzipSync(data);
  } catch (err) {
    return new Error(`not gzip: ${(err as Error).message}`);
  }
  return decodeJson(Snapshot, text);
}
