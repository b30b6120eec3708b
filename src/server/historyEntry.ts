import { z } from 'zod';
import { MessageFile } from '../net/protocol/conversationMessages';
import { CHANNEL_TARGET, CodeRef, isClientId, Limits, Targets } from '../net/protocol/messages';
import { RichFields } from '../net/protocol/richMessages';
import { CodeFields, hasCodeParts } from '../net/protocol/codeMessages';

/**
 * The records of the relay's history as its log holds them, one JSON object a line: a message
 * (with its sender's ref, so a resend after a reconnect is recognised as the same message), or
 * an update record that says a stored message changed (edited, deleted, reacted to, replied to)
 * and has a seq of its own, so a client that was away hears of the change on resume.
 */
/** Refs are at most 64 characters on the wire; the log allows more, within what a record can say. */
const MAX_REF_CHARS = 4096;

export const HistoryEntry = z.object({
  id: z.string(),
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  from: z.string(),
  fromName: z.string(),
  /** 'all' (#general), '#<channel id>', or a list of identities. */
  to: Targets,
  text: z.string(),
  code: CodeRef.optional(),
  /** A reply: its thread's root message id. */
  thread: z.string().max(96).optional(),
  files: z.array(MessageFile).max(Limits.filesPerOffer).optional(),
  /** Mentions (deduplicated by the relay), urgency and attachments, as sent. */
  ...RichFields,
  /** A patch, or a terminal/problem block (issue 28), as sent. */
  ...CodeFields,
  /** Written by compaction, which stores a changed message's latest version. */
  edited: z.number().int().nonnegative().optional(),
  deleted: z.literal(true).optional(),
  /** The sender's ref, so a resend after reconnect is recognised as the same message. */
  ref: z.string().max(MAX_REF_CHARS),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A change to the stored message `update` (a seq); what changed is in the team store. */
export const UpdateRecord = z.object({
  seq: z.number().int().positive(),
  ts: z.number().int().nonnegative(),
  update: z.number().int().positive(),
});
export type UpdateRecord = z.infer<typeof UpdateRecord>;

/** A log line's record: an update when it says so, else a message. */
export function parseRecord(value: unknown): HistoryEntry | UpdateRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const quick = plainEntry(value as Record<string, unknown>);
  if (quick) return quick;
  const parsed = 'update' in value ? UpdateRecord.safeParse(value) : HistoryEntry.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The common record — a plain message, no code, thread, files, edit, mention or attachment —
 * checked by hand: a relay
 * loading a million of them spent two seconds in the schema. The same object the schema returns,
 * or undefined to leave the record to the schema (which then says whether it is one at all);
 * the unit tests compare the two.
 */
export function plainEntry(v: Record<string, unknown>): HistoryEntry | undefined {
  if (v.code !== undefined || v.thread !== undefined || v.files !== undefined || v.edited !== undefined || v.deleted !== undefined) return undefined;
  if (v.mentions !== undefined || v.urgent !== undefined || v.attachments !== undefined || hasCodeParts(v)) return undefined;
  const { id, seq, ts, from, fromName, to, text, ref } = v;
  if (typeof id !== 'string' || typeof from !== 'string' || typeof fromName !== 'string' || typeof text !== 'string') return undefined;
  if (typeof ref !== 'string' || ref.length > MAX_REF_CHARS || !counter(seq) || !counter(ts)) return undefined;
  if (to === 'all' || (typeof to === 'string' && CHANNEL_TARGET.test(to))) return { id, seq, ts, from, fromName, to, text, ref };
  if (!Array.isArray(to) || to.length < 1 || to.length > Limits.targets) return undefined;
  for (const target of to) if (typeof target !== 'string' || !isClientId(target)) return undefined;
  return { id, seq, ts, from, fromName, to: to as string[], text, ref };
}

function counter(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export function isUpdateRecord(record: HistoryEntry | UpdateRecord): record is UpdateRecord {
  return 'update' in record;
}

/** An update record's log line (also what the history holds of it). */
export function updateRecordJson(seq: number, ts: number, target: number): string {
  return `{"seq":${seq},"ts":${ts},"update":${target}}`;
}
