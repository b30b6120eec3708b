import type { MessageFile } from '../net/protocol/conversationMessages';
import { HEADER_BYTES } from '../net/protocol/frame';
import type { OfferedFile } from '../net/protocol/messages';
import type { HistoryEntry } from './history';
import { chatMessageFrame } from './io/hotFrames';
import type { RelayContext } from './relayContext';
import type { Session } from './session';

/** An offer of more files is recorded by its first ones: a record is a message, not a manifest. */
export const RECORDED_FILES = 1000;
/** Offers remembered so that a re-offer (a resumed transfer) is not recorded twice. */
const REMEMBERED_OFFERS = 10_000;

/**
 * File offers as messages in the sender↔receiver conversation: a message with no text that names
 * the files (what `has:file` finds; stored, replayed, paged and searched like any message). Every
 * connection of both people gets it, the offering one included: it has no copy of its own, and its
 * file card says which message it is by the id on `offer-sent`.
 */
export class OfferRecords {
  /** `<from> <to> <key>` → the record's message id, oldest first (a Map keeps insertion order). */
  private readonly recorded = new Map<string, string>();

  constructor(private readonly ctx: RelayContext) {}

  /**
   * The record of an offer of `files` from `sender` to `to` made under `key`: its message id now,
   * and `store` to call once the offer itself is on its way (the receiver hears of the offer
   * first). A re-offer under the same key (a resume) gets the first record's id, nothing to store.
   */
  record(sender: Session, to: string, key: string, files: readonly OfferedFile[]): { id: string; store(): void } {
    const offerKey = `${sender.clientId} ${to} ${key}`;
    const known = this.recorded.get(offerKey);
    if (known !== undefined) return { id: known, store: () => {} };
    const { history, logger } = this.ctx;
    const seq = history.nextSeq();
    const entry: HistoryEntry = {
      id: `${history.epoch}-${seq}`,
      seq,
      ts: Date.now(),
      from: sender.clientId,
      fromName: sender.name,
      to: [to],
      text: '',
      files: files.slice(0, RECORDED_FILES).map((f): MessageFile => ({ name: f.name, size: f.size })),
      // Not a ref the client chose: a space never appears in those, so no resend matches it.
      ref: `offer ${key}`,
    };
    this.remember(offerKey, entry.id);
    const store = () => {
      const frame = chatMessageFrame(entry, false);
      if (!history.durable) {
        history.append(entry, frame.subarray(HEADER_BYTES));
        this.deliver(entry, frame);
        return;
      }
      history.append(entry, frame.subarray(HEADER_BYTES), {
        stored: () => this.deliver(entry, frame),
        // The transfer goes on without its record: the offer is what the receiver acts on.
        notStored: (reason) => logger.warn('file offer not recorded', { from: sender.name, reason }),
      });
    };
    return { id: entry.id, store };
  }

  /** To every connection of the sender and of the receiver. */
  private deliver(entry: HistoryEntry, frame: Buffer): void {
    const { byClient, flow, directory } = this.ctx;
    for (const clientId of new Set([entry.from, ...(entry.to as string[])])) {
      const sessions = byClient.get(clientId);
      if (!sessions || sessions.length === 0) continue;
      for (const session of sessions) flow.deliver(session, frame);
      directory.delivered(clientId, entry.seq);
    }
  }

  private remember(offerKey: string, id: string): void {
    if (this.recorded.size >= REMEMBERED_OFFERS) {
      const oldest = this.recorded.keys().next();
      if (!oldest.done) this.recorded.delete(oldest.value);
    }
    this.recorded.set(offerKey, id);
  }
}
