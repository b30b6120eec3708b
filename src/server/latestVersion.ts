import type { ChatMessage } from '../net/protocol/messages';
import { codeParts } from '../net/protocol/codeMessages';
import type { HistoryEntry } from './historyEntry';
import type { MessageState } from './teamStore';

/** A stored message as it went out, before any change: what the history's records decode to. */
export type StoredMessage = Omit<HistoryEntry, 'ref'> & { t?: 'message' };

/**
 * A stored message's latest version: what changed since it was sent (the team store's state)
 * laid over it. A deleted message is a tombstone: no text, code, files, mentions or attachments. The fields are in the
 * protocol's order, so the same version always encodes to the same bytes.
 */
export function latestVersion(stored: StoredMessage, state: MessageState | undefined): ChatMessage {
  const deleted = stored.deleted === true || state?.deleted === true;
  const edited = state?.edited ?? stored.edited;
  const message: ChatMessage = {
    t: 'message',
    id: stored.id,
    seq: stored.seq,
    ts: stored.ts,
    from: stored.from,
    fromName: stored.fromName,
    to: stored.to,
    text: deleted ? '' : (state?.text ?? stored.text),
  };
  if (!deleted && stored.code) message.code = stored.code;
  if (stored.thread !== undefined) message.thread = stored.thread;
  if (!deleted && stored.files) message.files = stored.files;
  if (!deleted && stored.mentions) message.mentions = stored.mentions;
  if (!deleted && stored.urgent) message.urgent = true;
  if (!deleted && stored.attachments) message.attachments = stored.attachments;
  if (!deleted) Object.assign(message, codeParts(stored));
  if (edited !== undefined) message.edited = edited;
  if (deleted) message.deleted = true;
  if (state?.reactions && state.reactions.length > 0) message.reactions = state.reactions;
  if (state?.replies) message.replies = state.replies;
  return message;
}

/** Whether the state changes what the log keeps of a message (its text, or that it is gone). */
export function changesStoredText(state: MessageState | undefined): boolean {
  return state !== undefined && (state.deleted === true || state.text !== undefined);
}

/** The log's record of a message's latest version (what compaction writes): its reactions and
 *  replies stay in the team store. */
export function latestEntry(entry: HistoryEntry, state: MessageState | undefined): HistoryEntry {
  const latest = latestVersion(entry, state);
  return {
    id: latest.id,
    seq: latest.seq,
    ts: latest.ts,
    from: latest.from,
    fromName: latest.fromName,
    to: latest.to,
    text: latest.text,
    ...(latest.code ? { code: latest.code } : {}),
    ...(latest.thread !== undefined ? { thread: latest.thread } : {}),
    ...(latest.files ? { files: latest.files } : {}),
    ...(latest.mentions ? { mentions: latest.mentions } : {}),
    ...(latest.urgent ? { urgent: true as const } : {}),
    ...(latest.attachments ? { attachments: latest.attachments } : {}),
    ...codeParts(latest),
    ...(latest.edited !== undefined ? { edited: latest.edited } : {}),
    ...(latest.deleted ? { deleted: true as const } : {}),
    ref: entry.ref,
  };
}
