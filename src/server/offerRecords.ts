import type { MessageFile } from '../net/protocol/conversationMessages';
import { HEADER_BYTES } from '../net/protocol/frame';
import type { OfferedFile } from '../net/protocol/messages';
import type { HistoryEntry } from './history';
import { chatMessageFrame } from './io/hotFrames';
import type { RelayContext } from './relayContext';
import type { Session } from './session';

/** The message that records an offer (id and seq are the history's, or left to a cluster's stream). */
export function offerRecordEntry(sender: Session, to: string, key: string, files: readonly OfferedFile[], id = '', seq = 0): HistoryEntry {
  return {
    id,
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
}

/** An offer of more files is recorded by its first ones: a record is a message, not a manifest. */
export const RECORDED_FILES = 1000;
/** Offers remembered so that a re-offer (a resumed transfer) is not recorded twice. */
const REMEMBERED_OFFERS = 10_000;
/** In a cluster the offer waits this long at most for its record to be stored, then goes without. */
const CLUSTER_RECORD_WAIT_MS = 3000;

/**
 * A recorded offer: its message id now and `store()` to call once the offer is on its way; or,
 * in a cluster, the id once the engine has stored it (numbered by the stream; undefined when
 * not stored: the offer goes without).
 */
export type OfferRecord = { id: string; store(): void } | { stored: Promise<string | undefined> };

/** A cluster's stream, which numbers and stores a record and brings it to every relay. */
export interface RecordPublisher {
  /** Resolves with the stored message's id (the original's for a duplicate of `msgId`). */
  publishRecord(entry: HistoryEntry): Promise<string>;
}

/**
 * File offers as messages in the sender↔receiver conversation: a message with no text that names
 * the files (what `has:file` finds; stored, replayed, paged and searched like any message). Every
 * connection of both people gets it, the offering one included: it has no copy of its own, and its
 * file card says which message it is by the id on `offer-sent`. In a cluster the record goes
 * through the stream first, so it may reach the receiver before the offer (the panel folds it
 * into the card when that comes).
 */
export class OfferRecords {
  /** `<from> <to> <key>` → the record, oldest first (a Map keeps insertion order). */
  private readonly recorded = new Map<string, OfferRecord>();

  constructor(
    private readonly ctx: RelayContext,
    private readonly cluster?: RecordPublisher,
  ) {}

  /**
   * The record of an offer of `files` from `sender` to `to` made under `key`: its message id now,
   * and `store` to call once the offer itself is on its way (the receiver hears of the offer
   * first). A re-offer under the same key (a resume) gets the first record's id, nothing to store.
   */
  record(sender: Session, to: string, key: string, files: readonly OfferedFile[]): OfferRecord {
    const offerKey = `${sender.clientId} ${to} ${key}`;
    const known = this.recorded.get(offerKey);
    if (known !== undefined) return 'id' in known ? { id: known.id, store: () => {} } : known;
    if (this.cluster) return this.recordInCluster(this.cluster, offerKey, offerRecordEntry(sender, to, key, files));
    const { history, logger } = this.ctx;
    const seq = history.nextSeq();
    const entry = offerRecordEntry(sender, to, key, files, `${history.epoch}-${seq}`, seq);
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
    this.remember(offerKey, { id: entry.id, store });
    return { id: entry.id, store };
  }

  private recordInCluster(cluster: RecordPublisher, offerKey: string, entry: HistoryEntry): OfferRecord {
    const record: OfferRecord = {
      stored: new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.ctx.logger.warn('file offer sent without its record: the engine did not store it in time', { from: entry.fromName });
          resolve(undefined);
        }, CLUSTER_RECORD_WAIT_MS);
        cluster.publishRecord(entry).then(
          (id) => {
            clearTimeout(timer);
            resolve(id);
          },
          (err: Error) => {
            clearTimeout(timer);
            this.ctx.logger.warn('file offer not recorded', { from: entry.fromName, reason: err.message });
            // A re-offer tries again.
            if (this.recorded.get(offerKey) === record) this.recorded.delete(offerKey);
            resolve(undefined);
          },
        );
      }),
    };
    this.remember(offerKey, record);
    return record;
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

  private remember(offerKey: string, record: OfferRecord): void {
    if (this.recorded.size >= REMEMBERED_OFFERS) {
      const oldest = this.recorded.keys().next();
      if (!oldest.done) this.recorded.delete(oldest.value);
    }
    this.recorded.set(offerKey, record);
  }
}
