import type { ChannelInfo, Reaction, ThreadSummary } from '../net/protocol/conversationMessages';
import type { ErrorCode } from '../net/protocol/errors';

/**
 * Everything the relay owns besides the message log itself: channels and their members, each
 * identity's read markers, and what happened to stored messages since (edits, deletes,
 * reactions, thread replies). One interface, kept in memory or on disk today, so a cluster of
 * relays can keep the same in a shared engine without touching the routing code.
 *
 * Writes are buffered: `flush()` runs once per event-loop turn before any frame goes out (the
 * relay's flush scheduler), so nobody hears of a change before it is stored. A write that
 * fails (a full disk) throws from flush(); the caller refuses what it was storing.
 *
 * A cluster's store (cluster/kvTeamStore.ts) writes to the engine, which answers later: it has
 * `written()`, and what announces a change waits for that instead of for flush(). While the
 * engine is unreachable its writes are kept and retried (logged), never dropped; a change the
 * engine refuses (a channel name another relay took first) is undone and rejected with a
 * TeamStoreRefusal the asker is told.
 */
export interface TeamStore {
  // ---------------------------------------------------------------- channels
  /** Every channel, #general included, archived ones too. */
  channels(): Iterable<ChannelRecord>;
  channel(id: string): ChannelRecord | undefined;
  /** Creates or replaces a channel (the record is the store's from then on: do not mutate it). */
  putChannel(channel: ChannelRecord): void;

  // ---------------------------------------------------------------- read markers
  /** How far `clientId` has read in `conv` (0: nothing). */
  readMarker(clientId: string, conv: string): number;
  /** All of one identity's markers. */
  readMarkersOf(clientId: string): Iterable<[conv: string, seq: number]>;
  /** How many conversations the identity has a marker in. */
  readMarkerCount(clientId: string): number;
  /** Moves a marker forward (never back); false when it did not move. */
  setReadMarker(clientId: string, conv: string, seq: number): boolean;
  /** Everyone's markers in one direct or small group conversation (of at most
   *  ConversationLimits.receiptMembers people; none for channels and bigger groups). */
  readMarkersIn(conv: string): Iterable<[clientId: string, seq: number]>;
  /** The direct and small group conversations with `clientId` among their participants that
   *  someone has a marker in (where "Seen by" may have something to show). */
  smallConversationsWith(clientId: string): Iterable<string>;
  /** Whether the identity lets others see how far it has read (true unless it turned it off). */
  sendsReceipts(clientId: string): boolean;
  setSendsReceipts(clientId: string, on: boolean): void;

  // ---------------------------------------------------------------- message changes
  /** What changed on the stored message with this seq since it was sent, if anything. */
  messageState(seq: number): MessageState | undefined;
  setMessageState(seq: number, state: MessageState): void;
  /** Forgets the changes of messages that retention dropped (seqs up to `seq`). */
  forgetMessagesUpTo(seq: number): void;

  /** Writes what changed since the last flush (throws when it cannot: a full disk). */
  flush(): void;
  /** Stores whose writes land later (a cluster's) only: settles once the changes made since the
   *  last call are stored; rejects (the change undone) when they are refused. */
  written?(): Promise<void>;
  close(): void;
}

/** A channel as the relay keeps it: the wire's ChannelInfo with its members as a set. */
export interface ChannelRecord {
  id: string;
  name: string;
  topic: string;
  private: boolean;
  archived: boolean;
  createdBy: string;
  createdAt: number;
  /** Empty for #general: everyone is in it. */
  members: ReadonlySet<string>;
}

/** The latest state of a stored message that changed after it was sent. */
export interface MessageState {
  /** Edited text (absent: the original). */
  text?: string;
  /** When last edited. */
  edited?: number;
  deleted?: true;
  reactions?: Reaction[];
  replies?: ThreadSummary;
  /** Cluster mode: the stream seq of the last change applied, so that a change read again
   *  (a restart reads the stream's tail) is not applied twice. */
  at?: number;
}

export type { ChannelInfo };

/** A change a shared store refused and undid (another relay changed the same thing first). */
export class TeamStoreRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
