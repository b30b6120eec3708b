import * as crypto from 'node:crypto';
import {
  ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  JetStreamClient,
  jetstreamManager,
  JetStreamManager,
  PubAck,
  RetentionPolicy,
  StorageType,
  StreamConfig,
  StreamInfo,
} from '@nats-io/jetstream';
import type { Logger } from '../../net/logger';
import { CHAT_STREAM, CHAT_SUBJECT } from './names';
import { whileForming } from './whileForming';
import type { ClusterEngine } from './natsEngine';

/**
 * The cluster's one ordered chat log: a replicated JetStream stream. Relays publish into it
 * (deduplicated by message id, so a resend after a failover is stored once) and each reads it
 * back with ONE ordered consumer, whose stream sequence becomes the message's `seq` everywhere.
 */

/** What the stream keeps: derived from the relay's history options, plus its copies. */
export interface ChatLogLimits {
  maxEntries: number;
  maxAgeMs: number;
  maxBytes: number;
  replicas: number;
}

/** Resends come after a reconnect (seconds) or an engine outage (minutes): dedup covers both. */
const DUPLICATE_WINDOW_MS = 5 * 60_000;
/** A publish the engine has not answered by then is reported as unreachable (the client resends). */
const PUBLISH_TIMEOUT_MS = 5_000;
/** Pause before an ordered consumer that failed is made again. */
const REFOLLOW_MS = 500;
const NS_PER_MS = 1_000_000;
const PULL_EXPIRES_MS = 5_000;
const IDLE_HEARTBEAT_MS = 1_000;

export class ChatLog {
  private messages: ConsumerMessages | undefined;
  private closed = false;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    /** The stream's incarnation: a stream deleted and made again starts its sequence anew. */
    readonly epoch: string,
    /** The stream's first and last seq when the log was opened: where a boot's catch-up ends. */
    readonly firstSeq: number,
    readonly lastSeq: number,
  ) {}

  /** Makes sure the stream exists with these limits and opens it. */
  static async open(engine: ClusterEngine, limits: ChatLogLimits, logger: Logger): Promise<ChatLog> {
    const jsm = await jetstreamManager(engine.nc);
    const info = await whileForming(() => ensureStream(jsm, streamConfig(limits), logger), logger, 'the chat stream');
    return new ChatLog(jetstream(engine.nc), logger, epochOf(info), info.state.first_seq, info.state.last_seq);
  }

  /** Stores one chat message; the PubAck carries its stream seq (the original's for a duplicate). */
  publish(data: Uint8Array, msgID: string): Promise<PubAck> {
    return this.js.publish(CHAT_SUBJECT, data, { msgID, timeout: PUBLISH_TIMEOUT_MS });
  }

  /**
   * Reads the stream from `fromSeq` on, in order, handing each message to `onMessage`; goes on
   * through engine outages (the ordered consumer is made again where it stopped). One per relay.
   */
  follow(fromSeq: number, onMessage: (seq: number, data: Uint8Array) => void): void {
    void this.run(Math.max(1, fromSeq), onMessage);
  }

  close(): void {
    this.closed = true;
    void this.messages?.close();
  }

  private async run(fromSeq: number, onMessage: (seq: number, data: Uint8Array) => void): Promise<void> {
    let next = fromSeq;
    while (!this.closed) {
      try {
        const consumer = await this.js.consumers.get(CHAT_STREAM, {
          filter_subjects: CHAT_SUBJECT,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        });
        if (this.closed) return;
        // Short pulls and heartbeats: a stream whose leader moved is noticed in seconds (the
        // defaults take up to a minute, and acks wait for this reader).
        this.messages = await consumer.consume({ expires: PULL_EXPIRES_MS, idle_heartbeat: IDLE_HEARTBEAT_MS });
        for await (const m of this.messages) {
          next = m.seq + 1;
          try {
            onMessage(m.seq, m.data);
          } catch (err) {
            // One bad entry must not stop the log for everyone after it.
            this.logger.error('cannot deliver a chat log entry', { seq: m.seq, error: (err as Error).message });
          }
        }
      } catch (err) {
        if (!this.closed) this.logger.warn('chat log consumer stopped; following again', { from: next, error: (err as Error).message });
      }
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, REFOLLOW_MS));
    }
  }
}

function streamConfig(limits: ChatLogLimits): Partial<StreamConfig> & { name: string } {
  return {
    name: CHAT_STREAM,
    subjects: [CHAT_SUBJECT],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: limits.replicas,
    max_msgs: limits.maxEntries,
    max_bytes: limits.maxBytes,
    max_age: limits.maxAgeMs * NS_PER_MS,
    duplicate_window: Math.min(DUPLICATE_WINDOW_MS, limits.maxAgeMs) * NS_PER_MS,
  };
}

/** Creates the stream, or brings an existing one's limits to these (a refused change is logged:
 *  the stream as it is still works). */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }, logger: Logger): Promise<StreamInfo> {
  let existing: StreamInfo | undefined;
  try {
    existing = await jsm.streams.info(config.name);
  } catch {
    // not there yet (or not readable): add() below says which
  }
  if (!existing) return jsm.streams.add(config);
  const c = existing.config;
  const same =
    c.num_replicas === config.num_replicas &&
    c.max_msgs === config.max_msgs &&
    c.max_bytes === config.max_bytes &&
    c.max_age === config.max_age &&
    c.duplicate_window === config.duplicate_window;
  if (same) return existing;
  try {
    return await jsm.streams.update(config.name, { ...c, ...config });
  } catch (err) {
    logger.warn('cannot change the chat stream to these limits; using it as it is', { stream: config.name, error: (err as Error).message });
    return existing;
  }
}

/** The stream's creation time names its incarnation: the same on every relay, new when the
 *  stream is made again (then every client's bookmark is from another epoch). */
export function epochOf(info: StreamInfo): string {
  return 'js' + crypto.createHash('sha256').update(`${info.config.name}@${info.created}`).digest('base64url').slice(0, 12);
}
