import { z } from 'zod';
import { Answer, Cancel, Credit, FileResult, RelayMessage } from '../../net/protocol/messages';

/**
 * What two relays of a cluster tell each other about a file transfer between their people, on
 * core NATS (`tm.xfer.<relayId>`, one subject per relay, so notes and data keep their order).
 * The sender's relay (the origin) runs the transfer (transferRouter.ts); the receiver's relay
 * passes things between it and its connection (transferBridge.ts). Checked on the way in: a bug
 * on another relay costs a log line, never this relay.
 */
const relayId = z.string().min(1).max(64);
const transfer = z.string().min(1).max(64);
const connectionId = z.number().int().nonnegative();

export const TransferNote = z.discriminatedUnion('k', [
  // ---- origin → the receiver's relay
  /** An offer for connection `to` there, from connection `sender` at the origin. */
  z.object({ k: z.literal('offer'), from: relayId, transfer, to: connectionId, sender: connectionId, message: RelayMessage }),
  /** A message of the origin's router for the receiver (answered, cancel); streams in the origin's numbers. */
  z.object({ k: z.literal('deliver'), from: relayId, transfer, message: RelayMessage }),
  /** Connection `to` there broke the transfer rules: its relay closes it. */
  z.object({ k: z.literal('fail'), from: relayId, to: connectionId, code: z.string().max(64), message: z.string().max(500) }),
  // ---- the receiver's relay → origin, streams in the origin's numbers
  z.object({ k: z.literal('answer'), from: relayId, transfer, answer: Answer }),
  z.object({ k: z.literal('credit'), from: relayId, transfer, credit: Credit }),
  z.object({ k: z.literal('file-result'), from: relayId, transfer, result: FileResult }),
  z.object({ k: z.literal('cancel'), from: relayId, transfer, cancel: Cancel }),
  /** The receiver's connection is gone (closed, or never there): the origin stops resumably. */
  z.object({ k: z.literal('gone'), from: relayId, transfer }),
]);
export type TransferNote = z.infer<typeof TransferNote>;

/** What comes before a note's JSON, or before a data frame's origin relay, stream and flags. */
const NOTE = 1;
const DATA = 2;
/** Kind, the origin's id length; then the id, the stream (4 bytes) and the flags (1). */
const DATA_FIXED = 2 + 4 + 1;

/** The largest data payload one engine message carries: larger frames go as several (not an
 *  end frame, which is a 32-byte digest). Well under NATS's default 1 MiB max_payload. */
export const DATA_PIECE_BYTES = 256 * 1024;

export function transferSubject(relay: string): string {
  return `tm.xfer.${relay}`;
}

export function encodeNote(note: TransferNote): Uint8Array {
  const json = Buffer.from(JSON.stringify(note), 'utf8');
  const out = Buffer.allocUnsafe(1 + json.length);
  out[0] = NOTE;
  json.copy(out, 1);
  return out;
}

/** A data frame's payload for a stream of `origin`'s (in its numbers), with the frame's flags. */
export function encodeData(origin: string, stream: number, flags: number, payload: Buffer): Uint8Array {
  const id = Buffer.from(origin, 'latin1');
  const out = Buffer.allocUnsafe(DATA_FIXED + id.length + payload.length);
  out[0] = DATA;
  out[1] = id.length;
  id.copy(out, 2);
  out.writeUInt32BE(stream, 2 + id.length);
  out[6 + id.length] = flags;
  payload.copy(out, DATA_FIXED + id.length);
  return out;
}

export type Decoded =
  { kind: 'note'; note: TransferNote } | { kind: 'data'; origin: string; stream: number; flags: number; payload: Buffer } | { kind: 'bad'; why: string };

export function decodeTransfer(data: Uint8Array): Decoded {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length === 0) return { kind: 'bad', why: 'empty' };
  if (bytes[0] === DATA) {
    const idLength = bytes.length >= 2 ? bytes[1]! : 0;
    if (idLength === 0 || bytes.length < DATA_FIXED + idLength) return { kind: 'bad', why: 'a data message shorter than its header' };
    return {
      kind: 'data',
      origin: bytes.toString('latin1', 2, 2 + idLength),
      stream: bytes.readUInt32BE(2 + idLength),
      flags: bytes[6 + idLength]!,
      payload: bytes.subarray(DATA_FIXED + idLength),
    };
  }
  if (bytes[0] !== NOTE) return { kind: 'bad', why: `unknown kind ${bytes[0]}` };
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(1).toString('utf8'));
  } catch {
    return { kind: 'bad', why: 'a note that is not JSON' };
  }
  const parsed = TransferNote.safeParse(json);
  return parsed.success ? { kind: 'note', note: parsed.data } : { kind: 'bad', why: parsed.error.issues[0]?.message ?? 'malformed note' };
}
