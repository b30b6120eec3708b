import { ErrorCode } from '../net/protocol/errors';
import type { Send } from '../net/protocol/messages';
import type { HistoryEntry } from './historyEntry';
import { Refusal } from './requestRefusal';

/** What a message keeps of a send's mentions, urgency and attachments. */
export type RichParts = Pick<HistoryEntry, 'mentions' | 'urgent' | 'attachments'>;

/**
 * The mentions, urgency and attachments a sent message is stored with. Mentions are kept once
 * each, in the sender's order, whoever they name: each receiver decides what a mention of it
 * means. Two attachments with one id are refused, as a file request names one by its id.
 */
export function richParts(send: Send): RichParts | Refusal {
  const parts: RichParts = {};
  if (send.mentions && send.mentions.length > 0) parts.mentions = [...new Set(send.mentions)];
  if (send.urgent) parts.urgent = true;
  if (send.attachments) {
    const ids = new Set(send.attachments.map((a) => a.id));
    if (ids.size < send.attachments.length) return new Refusal(ErrorCode.BadMessage, 'two attachments of the message have the same id');
    parts.attachments = send.attachments;
  }
  return parts;
}
