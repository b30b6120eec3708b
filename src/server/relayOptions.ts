import type { Logger } from '../net/logger';
import type { AdmissionLimits } from './admission';
import type { ClusterOptions } from './cluster/clusterOptions';

/** What a relay can be told: its address, secret, TLS, history, limits and timings. */

/** Room for chat plus a few files' windows in flight (8 MiB each) before a reader counts as slow. */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

export type RelayAuth = { secret: string } | { noAuth: true };

export interface RelayOptions {
  host?: string;
  port?: number;
  /** A team secret, or an explicit `noAuth`: there is no silent default. */
  auth: RelayAuth;
  historyDir?: string;
  /** History retention: records kept, their age (ms) and their size as lines of the log. The
   *  defaults (history.ts HISTORY_DEFAULTS) keep a million for 90 days in 1 GiB with a history
   *  folder; in memory only, 100,000 in 32 MiB. */
  historyMaxEntries?: number;
  historyMaxAgeMs?: number;
  historyMaxBytes?: number;
  maxPayload?: number;
  /** A connection whose unsent data grows past this is dropped as a slow consumer. */
  maxQueuedBytes?: number;
  /** A receiver with more chat than this queued pauses the senders of direct messages to it
   *  (default 4 MiB, at most half of maxQueuedBytes). */
  backpressureBytes?: number;
  /** A receiver that keeps its senders paused longer than this is dropped as a slow consumer. */
  slowConsumerGraceMs?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** How long a graceful stop waits for clients to take their last frames. */
  shutdownGraceMs?: number;
  /** How long a file offer waits for an answer. */
  offerTimeoutMs?: number;
  /** Most file data the relay will hold for one stream (the largest credit it passes on). */
  maxWindowBytes?: number;
  /** Limit on each connection's incoming file data, bytes per second (default: unlimited). */
  throttleBytesPerSecond?: number;
  /** TLS with this certificate and key (PEM), or `false` for plain TCP: always an explicit choice. */
  tls: { certPem: string; keyPem: string } | false;
  /** Caps on connections and failed logins (see admission.ts for the defaults). */
  admission?: Partial<AdmissionLimits>;
  /** Control messages one connection may send per second, sustained (0: no limit). */
  messagesPerSecond?: number;
  /** …and at once. */
  messageBurst?: number;
  /** Chat text one connection may send per second (characters, sustained; 0: no limit). A count of
   *  messages alone would let one sender fill everyone's queues with maximum-size messages. */
  textBytesPerSecond?: number;
  /** Peer searches (`who`) one connection may run per second, sustained (default 10, burst 20;
   *  0: no limit of their own). A search that matches nothing scans every identity the relay
   *  knows, so the general message rate alone would let one client keep the relay busy. */
  searchesPerSecond?: number;
  /** Everyone hears about every join while at most this many identities are online (default
   *  1000); above it clients hear only about the identities they watch (see presence.ts). */
  fullPresenceLimit?: number;
  /** Watch-set entries held for all connections together (500,000 unless set; about 60 bytes
   *  each). A watch beyond it is cut, and its sender told so with WATCH_LIMIT. */
  maxWatchEntries?: number;
  /** How often the online count goes out in watched mode, when it changed (default 2000 ms). */
  presenceIntervalMs?: number;
  /** How long one connection's messages from a full read may hold the relay's event loop while
   *  others are talking before their messages get a turn (ms, default 0.5; 0: one message per
   *  turn). The rest of its read waits, in order; a short read is handled whole. */
  turnBudgetMs?: number;
  /** How recently another connection must have sent a message for a long read to give it turns
   *  (ms, default 20). Tests on a loaded machine widen it, so that a scheduler's pause between two
   *  of their messages does not read as nobody talking. */
  othersActiveMs?: number;
  /** Plain TCP connections read into one reused buffer (default true; see sharedReadBuffer.ts).
   *  False reads the way Node does by default, a new buffer per read: for comparisons. */
  reuseReadBuffer?: boolean;
  logger?: Logger;
  /** Join a cluster of relays through this NATS JetStream engine (issue 29); without it the relay
   *  runs alone. Then chat goes through the engine's stream and history is kept in memory,
   *  rebuilt from the stream at start. */
  cluster?: ClusterOptions;
  /** Lines a flood repeats (refusals, evictions, failed logins) are logged once per this many ms
   *  for each kind and address, with a count of the rest (default 10,000). */
  floodLogIntervalMs?: number;
}

/** About a hundred chat messages: long enough that a busy sender's turns cost little, short
 *  enough that a message from anyone else waits behind at most this much of it. */
export const DEFAULT_TURN_BUDGET_MS = 0.5;
