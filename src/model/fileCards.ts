import * as path from 'node:path';
import type { ClientState } from '../net/client/teamClient';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import type { IncomingState, IncomingTransfer, ReceivedFile } from '../net/transfer/incomingTransfer';
import type { OutgoingState, OutgoingTransfer } from '../net/transfer/outgoingTransfer';
import type { TransferProgress } from '../net/transfer/progress';
import type { ConversationId } from './conversationTypes';
import { CardFacts, cardStatus, cardTitle, renameNote } from './fileCardText';
import type { EndedBy, FileCard, FileCardState } from './fileCardTypes';
import type { FileCardsPersistence, SavedCard } from './fileCardsPersistence';
import { describeWhat, formatBytes } from './fileSizes';
import { Disposable, Emitter, Event } from './lifecycle';
import { savedPlaces } from './savedPlaces';

/** What the cards need of the Messenger (a narrow slice of MessengerModel). */
export interface FileCardsSource {
  readonly onFileOffer: Event<IncomingTransfer>;
  readonly connectionState: ClientState | 'idle';
  /** The identity's conversations: a conversation with a card is listed even before anyone wrote
   *  in it, and the identity (`selfId`) says whose saved cards to show. */
  readonly store: { readonly selfId: string; ensure(conversationId: ConversationId): unknown };
  /** A new store (another identity, or the first connection) is announced here. */
  readonly onStoreChanged?: Event<unknown>;
}

/** Where accepted files go, and how large one may be (from the settings, read at each accept). */
export interface DownloadPlace {
  dir: string;
  /** Undefined: no limit beyond free disk space. */
  maxFileBytes?: number;
}

/** Cards kept per conversation; the oldest finished ones go first. */
const MAX_CARDS = 50;
/** At most this often a moving transfer's card is updated (the chat redraws it each time). */
const PROGRESS_MS = 250;

interface Entry {
  facts: CardFacts;
  id: string;
  conversationId: ConversationId;
  ts: number;
  incoming?: IncomingTransfer;
  outgoing?: OutgoingTransfer;
  /** The conversation message that records the offer (the relay says which). */
  messageId?: string;
  /** The user declined or cancelled it here. */
  userEnded: boolean;
  moreSaved: number;
  progressTimer: NodeJS.Timeout | undefined;
  lastProgress: number;
}

/**
 * File transfers as cards in the conversation with the peer: an incoming offer with Accept and
 * Decline while nobody answered, progress while bytes move, then the outcome — where the files
 * were saved (and under which name, if not the one offered), or who declined or cancelled, or
 * why it failed. The chat panel renders them and the notifications follow them; both act through
 * accept / decline / cancel here, so a notification that hid loses nothing. No `vscode`.
 */
export class FileCards extends Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly byConversation = new Map<ConversationId, Entry[]>();
  private nextId = 1;
  /** Whose saved cards are shown ('' before the first connection). */
  private owner = '';
  private readonly changed = this._register(new Emitter<FileCard>());
  private readonly offered = this._register(new Emitter<FileCard>());
  /** A card was added or changed. */
  readonly onDidChange = this.changed.event;
  /** A peer offered files (the card exists already). */
  readonly onDidOffer = this.offered.event;

  constructor(
    private readonly source: FileCardsSource,
    private readonly download: () => DownloadPlace,
    private readonly saved?: FileCardsPersistence,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this._register(source.onFileOffer((transfer) => this.onOffer(transfer)));
    if (source.onStoreChanged) this._register(source.onStoreChanged(() => this.followOwner()));
    this._register({ dispose: () => this.entries.forEach((e) => clearTimeout(e.progressTimer)) });
    this.followOwner();
  }

  /** The conversation's cards, oldest first. */
  cardsOf(conversationId: ConversationId): FileCard[] {
    return (this.byConversation.get(conversationId) ?? []).map((e) => this.card(e));
  }

  /** Whether a card of the conversation stands for this message (an offer's record): the chat
   *  shows the card, not the message a second time. */
  recordsMessage(conversationId: ConversationId, messageId: string): boolean {
    return this.byConversation.get(conversationId)?.some((e) => e.messageId === messageId) ?? false;
  }

  get(cardId: string): FileCard | undefined {
    const entry = this.entries.get(cardId);
    return entry && this.card(entry);
  }

  /** A transfer the user started: its card goes into the conversation with `peerId`. */
  trackOutgoing(transfer: OutgoingTransfer, peerId: string, peerName: string): FileCard {
    const entry = this.add(`peer:${peerId}`, 'out', peerName, transfer.files, transfer.total, outgoingState(transfer.state));
    entry.outgoing = transfer;
    // Final states arrive with their reason through `done` (below), never without it.
    transfer.on('state', (state) => {
      // The relay names the offer's record when it takes the offer (offering → waiting).
      entry.messageId ??= transfer.messageId;
      if (!isFinal(outgoingState(state))) this.update(entry, { state: outgoingState(state) });
    });
    transfer.on('progress', (p) => this.progress(entry, p));
    transfer.done.then(
      () => this.update(entry, { state: 'done', bytes: entry.facts.total }),
      (err: TeamMessengerError) => this.ended(entry, err),
    );
    return this.card(entry);
  }

  /** Accepts an offer into the download folder; a failure (no space, too large) shows on the card. */
  async accept(cardId: string): Promise<void> {
    const entry = this.entries.get(cardId);
    const transfer = entry?.incoming;
    if (!entry || !transfer || transfer.state !== 'offered') return;
    const place = this.download();
    entry.facts.folder = path.resolve(place.dir);
    try {
      await transfer.accept({ dir: place.dir, ...(place.maxFileBytes !== undefined ? { maxFileBytes: place.maxFileBytes } : {}) });
    } catch {
      // `done` rejects with the same error: ended() puts it on the card.
    }
  }

  decline(cardId: string): void {
    const entry = this.entries.get(cardId);
    if (!entry?.incoming || entry.incoming.state !== 'offered') return;
    entry.userEnded = true;
    entry.incoming.decline('declined');
  }

  cancel(cardId: string): void {
    const entry = this.entries.get(cardId);
    const transfer = entry?.incoming ?? entry?.outgoing;
    if (!entry || !transfer || transfer.finished) return;
    entry.userEnded = true;
    if (entry.incoming) entry.incoming.cancel('cancelled by the receiver');
    else entry.outgoing?.cancel('cancelled by the sender');
  }

  // ---------------------------------------------------------------- transfers

  private onOffer(transfer: IncomingTransfer): void {
    const entry = this.add(`peer:${transfer.from}`, 'in', transfer.fromName, transfer.files, transfer.total, 'offered', transfer.messageId);
    entry.incoming = transfer;
    // Final states arrive through `done` (below): with where the files went, or with the reason.
    transfer.on('state', (state) => {
      if (!isFinal(incomingState(state))) this.update(entry, { state: incomingState(state) });
    });
    transfer.on('progress', (p) => this.progress(entry, p));
    transfer.done.then(
      (files) => this.received(entry, files),
      (err: TeamMessengerError) => this.ended(entry, err),
    );
    this.offered.fire(this.card(entry));
  }

  private received(entry: Entry, files: ReceivedFile[]): void {
    const { places, more } = savedPlaces(entry.facts.folder ?? path.dirname(files[0]?.path ?? '.'), files);
    entry.moreSaved = more;
    this.update(entry, { state: 'done', bytes: entry.facts.total, saved: places });
  }

  private ended(entry: Entry, error: TeamMessengerError): void {
    const state = entry.incoming ? incomingState(entry.incoming.state) : outgoingState(entry.outgoing!.state);
    const expired = error.code === ErrorCode.OfferExpired;
    const declinedPrefix = 'the receiver declined: ';
    const reason = error.code === ErrorCode.Declined && error.message.startsWith(declinedPrefix) ? error.message.slice(declinedPrefix.length) : error.message;
    this.update(entry, { state: expired ? 'expired' : state, reason, endedBy: this.whoEnded(entry, error) });
  }

  private whoEnded(entry: Entry, error: TeamMessengerError): EndedBy {
    if (entry.userEnded) return 'you';
    const offline = this.source.connectionState === 'idle' || this.source.connectionState === 'closed';
    if (offline || error.code === ErrorCode.ConnectionLost || error.code === ErrorCode.Closed) return 'connection';
    return 'peer';
  }

  /** Progress is shown at most every PROGRESS_MS; the last figures always arrive. */
  private progress(entry: Entry, p: TransferProgress): void {
    Object.assign(entry.facts, { bytes: p.bytes, rate: p.rate, etaSeconds: p.etaSeconds });
    if (entry.progressTimer) return;
    const wait = entry.lastProgress + PROGRESS_MS - this.now();
    if (wait <= 0) return this.fireProgress(entry);
    entry.progressTimer = setTimeout(() => this.fireProgress(entry), wait);
    entry.progressTimer.unref?.();
  }

  private fireProgress(entry: Entry): void {
    entry.progressTimer = undefined;
    entry.lastProgress = this.now();
    if (entry.facts.state === 'moving') this.changed.fire(this.card(entry));
  }

  // ---------------------------------------------------------------- saved cards

  /** Another identity's conversations are shown: its finished cards replace the last one's. */
  private followOwner(): void {
    const selfId = this.source.store.selfId;
    if (selfId === this.owner || !this.saved) return;
    this.owner = selfId;
    for (const [conversationId, list] of this.byConversation) {
      const live = list.filter((e) => !isFinal(e.facts.state));
      for (const gone of list.filter((e) => isFinal(e.facts.state))) this.entries.delete(gone.id);
      if (live.length > 0) this.byConversation.set(conversationId, live);
      else this.byConversation.delete(conversationId);
    }
    if (selfId === '') return;
    for (const card of this.saved.load(selfId)) this.restore(card);
  }

  private restore(card: SavedCard): void {
    const { conversationId, ts, moreSaved, messageId, ...facts } = card;
    const entry = this.entry(conversationId, ts, { ...facts, bytes: facts.state === 'done' ? facts.total : 0, rate: 0, etaSeconds: undefined });
    entry.moreSaved = moreSaved ?? 0;
    if (messageId !== undefined) entry.messageId = messageId;
    const list = this.byConversation.get(conversationId) ?? [];
    list.push(entry);
    list.sort((a, b) => a.ts - b.ts);
    this.byConversation.set(conversationId, list);
    this.trim(list);
  }

  /** Every finished card, oldest first, for the identity whose cards these are. */
  private persist(): void {
    if (!this.saved || this.owner === '') return;
    const cards: SavedCard[] = [];
    for (const entry of this.entries.values()) {
      const f = entry.facts;
      if (!isFinal(f.state)) continue;
      cards.push({
        direction: f.direction,
        conversationId: entry.conversationId,
        peerName: f.peerName,
        ts: entry.ts,
        what: f.what,
        size: f.size,
        state: f.state as SavedCard['state'],
        total: f.total,
        ...(f.endedBy ? { endedBy: f.endedBy } : {}),
        ...(f.reason !== undefined ? { reason: f.reason.slice(0, 500) } : {}),
        ...(f.saved
          ? {
              saved: f.saved.map(({ name, path: where, folder, offeredName }) => ({
                name,
                path: where,
                folder,
                ...(offeredName !== undefined ? { offeredName } : {}),
              })),
            }
          : {}),
        ...(entry.moreSaved > 0 ? { moreSaved: entry.moreSaved } : {}),
        ...(f.folder !== undefined ? { folder: f.folder } : {}),
        ...(entry.messageId !== undefined ? { messageId: entry.messageId } : {}),
      });
    }
    this.saved.save(
      this.owner,
      cards.sort((a, b) => a.ts - b.ts),
    );
  }

  // ---------------------------------------------------------------- cards

  private add(
    conversationId: ConversationId,
    direction: 'in' | 'out',
    peerName: string,
    files: readonly { name: string }[],
    total: number,
    state: FileCardState,
    messageId?: string,
  ): Entry {
    const what = describeWhat(files.map((f) => f.name));
    const entry = this.entry(conversationId, this.now(), {
      direction,
      peerName,
      what,
      size: formatBytes(total),
      state,
      bytes: 0,
      total,
      rate: 0,
      etaSeconds: undefined,
    });
    if (messageId !== undefined) entry.messageId = messageId;
    const list = this.byConversation.get(conversationId) ?? [];
    list.push(entry);
    this.byConversation.set(conversationId, list);
    this.trim(list);
    try {
      this.source.store.ensure(conversationId);
    } catch {
      // Not a conversation id this store takes (a malformed peer id): the card is still kept.
    }
    this.changed.fire(this.card(entry));
    return entry;
  }

  private entry(conversationId: ConversationId, ts: number, facts: CardFacts): Entry {
    const entry: Entry = { id: `card-${this.nextId++}`, conversationId, ts, facts, userEnded: false, moreSaved: 0, progressTimer: undefined, lastProgress: 0 };
    this.entries.set(entry.id, entry);
    return entry;
  }

  private update(entry: Entry, change: Partial<CardFacts>): void {
    Object.assign(entry.facts, change);
    if (change.state !== undefined && change.state !== 'moving') {
      clearTimeout(entry.progressTimer);
      entry.progressTimer = undefined;
    }
    this.changed.fire(this.card(entry));
    if (change.state !== undefined && isFinal(change.state)) this.persist();
  }

  /** Drops the oldest finished cards beyond MAX_CARDS (a running transfer's card stays). */
  private trim(list: Entry[]): void {
    while (list.length > MAX_CARDS) {
      const index = list.findIndex((e) => isFinal(e.facts.state));
      if (index < 0) return;
      const [gone] = list.splice(index, 1);
      this.entries.delete(gone.id);
    }
  }

  private card(entry: Entry): FileCard {
    const f = entry.facts;
    const { status, tone } = cardStatus(f);
    return Object.freeze({
      id: entry.id,
      direction: f.direction,
      conversationId: entry.conversationId,
      peerName: f.peerName,
      ts: entry.ts,
      what: f.what,
      size: f.size,
      state: f.state,
      bytes: f.bytes,
      total: f.total,
      ...(f.endedBy ? { endedBy: f.endedBy } : {}),
      ...(f.reason !== undefined ? { reason: f.reason } : {}),
      ...(f.saved ? { saved: f.saved.map((p) => ({ ...p, ...(renameNote(p) ? { note: renameNote(p) } : {}) })) } : {}),
      ...(entry.moreSaved > 0 ? { moreSaved: entry.moreSaved } : {}),
      ...(entry.messageId !== undefined ? { messageId: entry.messageId } : {}),
      title: cardTitle(f),
      status,
      tone,
    });
  }
}

/** A message that only records a file offer (the relay's, offerRecords.ts): no text, files named.
 *  The offer itself is what is told and shown (its card), not this message. */
export function isOfferRecord(message: { text: string; files?: readonly unknown[]; code?: unknown; attachments?: readonly unknown[] }): boolean {
  return message.text === '' && (message.files?.length ?? 0) > 0 && !message.code && !message.attachments?.length;
}

export function isFinal(state: FileCardState): boolean {
  return state === 'done' || state === 'declined' || state === 'cancelled' || state === 'expired' || state === 'failed';
}

function incomingState(state: IncomingState): FileCardState {
  switch (state) {
    case 'receiving':
      return 'moving';
    default:
      return state;
  }
}

function outgoingState(state: OutgoingState): FileCardState {
  switch (state) {
    case 'offering':
    case 'waiting':
      return 'waiting';
    case 'sending':
      return 'moving';
    default:
      return state;
  }
}
