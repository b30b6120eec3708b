import type { Logger } from '../net/logger';
import type { MessageState } from './teamStore';

/** What a relay's history is given (history.ts), and its defaults. */

/** Told about a message once the history has stored it, or could not. */
export interface StoreOutcome {
  stored(): void;
  notStored(reason: string): void;
}

export interface HistoryOptions {
  /** Folder for the log; without it the history lives in memory only. */
  dir?: string;
  /** Records kept (messages and update records). */
  maxEntries?: number;
  /** Entries older than this are dropped (ms). */
  maxAgeMs?: number;
  /** Bound on the history's size as lines of its log (bytes). */
  maxBytes?: number;
  logger: Logger;
  /** Asks for a flush soon: a message waits for it before it is delivered and acknowledged. */
  wake?: () => void;
  /** What changed on the stored message with this seq (the team store's). Asked from the
   *  constructor on: it compacts the log with each message's latest version. */
  state?: (seq: number) => MessageState | undefined;
  /** Told when retention dropped records: every message up to this seq is gone. */
  onTrimmed?: (upToSeq: number) => void;
}

const DAY_MS = 24 * 3600 * 1000;
/** Retention unless told otherwise: real scrollback on disk (the relay an editor starts has a
 *  folder too); a relay in memory only keeps the last 10,000 chat messages, as before scrollback:
 *  a larger history costs a flood of chat its latency tail (bench/NOTES.md). */
export const HISTORY_DEFAULTS = {
  onDisk: { maxEntries: 1_000_000, maxAgeMs: 90 * DAY_MS, maxBytes: 1024 * 1024 * 1024 },
  inMemory: { maxEntries: 10_000, maxAgeMs: 90 * DAY_MS, maxBytes: 32 * 1024 * 1024 },
} as const;
/** A client away for longer than this many records pages back for the older ones. */
export const REPLAY_MAX_FRAMES = 10_000;
