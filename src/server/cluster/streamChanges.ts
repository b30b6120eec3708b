import * as crypto from 'node:crypto';
import { z } from 'zod';
import { Delete, Edit, React } from '../../net/protocol/conversationMessages';

/**
 * A change of a stored message as a record of the cluster's chat stream: an edit, a delete, a
 * reaction, or one more reply in its thread. The stream numbers it like a message, so every
 * relay applies the changes in one order and a client's bookmark moves past them wherever it
 * resumes. A record with `u` is a change; any other is a chat message.
 */
const seq = z.number().int().positive();
const ts = z.number().int().nonnegative();
const clientId = z.string().min(1).max(128);

export const ChangeOp = z.discriminatedUnion('t', [
  Edit.pick({ t: true, text: true }),
  Delete.pick({ t: true }),
  React.pick({ t: true, emoji: true, on: true }),
  /** A reply by `from` at `ts` was stored in the thread: its summary counts it. */
  z.object({ t: z.literal('reply'), from: clientId, ts }),
]);
export type ChangeOp = z.infer<typeof ChangeOp>;

/** A change as a relay makes it; in the stream it also carries its message id (the reader finds its asker by it). */
export const StreamChange = z.object({ target: seq, by: clientId, ts, op: ChangeOp });
export type StreamChange = z.infer<typeof StreamChange>;
const ChangeRecord = StreamChange.extend({ id: z.string().min(1).max(64) });
export type ChangeRecord = z.infer<typeof ChangeRecord>;

export function encodeChange(change: StreamChange, id: string): Buffer {
  return Buffer.from(JSON.stringify({ u: { ...change, id } }), 'utf8');
}

/** The change a stream record holds, undefined for a chat message, or an Error for a bad change. */
export function changeOf(record: unknown): ChangeRecord | Error | undefined {
  if (typeof record !== 'object' || record === null || !('u' in record)) return undefined;
  const parsed = ChangeRecord.safeParse((record as { u: unknown }).u);
  return parsed.success ? parsed.data : new Error(parsed.error.issues[0]?.message ?? 'malformed change');
}

/** The stream's dedup id: a reply is counted once however often its count is published; any
 *  other change is its own. */
export function changeMessageId(change: StreamChange, replySeq?: number): string {
  return change.op.t === 'reply' && replySeq !== undefined ? `reply:${replySeq}` : `change:${crypto.randomBytes(12).toString('base64url')}`;
}
