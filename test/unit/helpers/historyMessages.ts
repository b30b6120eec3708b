import type { HistoryEntry, MessageHistory } from '../../../src/server/history';

/** The sender of the history tests' messages unless a test says otherwise. */
export const HISTORY_SENDER = 'A'.repeat(22);

/**
 * A message as the relay stores it, numbered `seq` in `h`'s epoch: from alice to #general, text
 * `m<seq>`, ref `r<seq>`, now; `fields` replace any of those.
 */
export function historyMessage(h: MessageHistory, seq: number, fields: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: `${h.epoch}-${seq}`,
    seq,
    ts: Date.now(),
    from: HISTORY_SENDER,
    fromName: 'alice',
    to: 'all',
    text: `m${seq}`,
    ref: `r${seq}`,
    ...fields,
  };
}

/** Appends a message with the next seq, like the relay does (see historyMessage for the
 *  defaults); `fields` may depend on the seq. */
export function appendMessage(h: MessageHistory, fields: Partial<HistoryEntry> | ((seq: number) => Partial<HistoryEntry>) = {}): HistoryEntry {
  const seq = h.nextSeq();
  const entry = historyMessage(h, seq, typeof fields === 'function' ? fields(seq) : fields);
  h.append(entry);
  return entry;
}
