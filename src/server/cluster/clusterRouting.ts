import { ErrorCode } from '../../net/protocol/errors';
import { encodeFrame, FrameKind, HEADER_BYTES } from '../../net/protocol/frame';
import { conversationKeyOf, GENERAL_KEY, seqOfMessageId } from '../../net/protocol/conversationKeys';
import type { Ack } from '../../net/protocol/messages';
import type { HistoryEntry } from '../history';
import { ackFrame, chatMessageFrame } from '../io/hotFrames';
import type { ChangeAsker, ChangePublisher, MessageChanges } from '../messageChanges';
import type { RelayContext } from '../relayContext';
import { Refusal } from '../requestRefusal';
import type { Session } from '../session';
import { ChatLog, ChatLogLimits } from './chatLog';
import type { ClusterOptions } from './clusterOptions';
import { chatMessageId } from './names';
import { ClusterEngine } from './natsEngine';
import { ChangeRecord, changeMessageId, changeOf, encodeChange, StreamChange } from './streamChanges';

/**
 * Chat in cluster mode: a message the router accepted is published to the cluster's stream; it
 * is delivered, held in the local history at the stream's seq and acknowledged only when this
 * relay's one reader of the stream brings it back. Every relay does the same for its own
 * sessions, so each recipient sees one order (the stream's), and the sender's ack never overtakes
 * a message before it (the client's bookmark moves with acks).
 */

/** A send published from this relay, until its sender has its ack. */
interface InFlight {
  session: Session;
  clientId: string;
  ref: string;
  /** The stream seq, once the engine acknowledged the publish. */
  seq?: number;
}

export class ClusterRouting implements ChangePublisher {
  private engine: ClusterEngine | undefined;
  /** Changes published from here, by message id: their askers hear once the reader applied them. */
  private readonly changesInFlight = new Map<string, ChangeAsker>();
  private log: ChatLog | undefined;
  /** Sends published from here, by message id: the reader leaves out the sending connection. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Stored by the engine, not yet read back here: acked once the reader passes their seq. */
  private waiting: InFlight[] = [];
  /** The newest stream seq read back and delivered here. */
  private position = 0;
  private caughtUp: { seq: number; resolve(): void } | undefined;

  constructor(
    private readonly ctx: RelayContext,
    private readonly changes: MessageChanges,
  ) {}

  /** The engine connection (undefined until start() has connected it). */
  get connection(): ClusterEngine | undefined {
    return this.engine;
  }

  /**
   * Connects to the engine, makes sure the stream exists, and reads it into the (empty) local
   * history: the newest `keepLocally` messages, before the relay lets anyone in, so that a
   * client's bookmark resumes here as on any other relay.
   */
  async start(options: ClusterOptions, limits: Omit<ChatLogLimits, 'replicas'>, keepLocally: number): Promise<ClusterEngine> {
    const { logger, history } = this.ctx;
    const engine = await ClusterEngine.connect({ servers: options.servers, logger });
    this.engine = engine;
    try {
      const log = await ChatLog.open(engine, { ...limits, replicas: options.replicas }, logger);
      this.log = log;
      history.followStream(log.epoch);
      const from = Math.max(1, log.firstSeq, log.lastSeq - keepLocally + 1);
      this.position = from - 1;
      const caughtUp = new Promise<void>((resolve) => {
        if (this.position >= log.lastSeq) resolve();
        else this.caughtUp = { seq: log.lastSeq, resolve };
      });
      log.follow(from, (seq, data) => this.readBack(seq, data));
      await caughtUp;
      logger.info('cluster chat log followed', { epoch: log.epoch, from, seq: log.lastSeq, relayId: engine.relayId });
      return engine;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.log?.close();
    this.caughtUp = undefined;
    await this.engine?.close();
  }

  /** An accepted message (its id and seq not set yet: the stream numbers it) goes to the stream. */
  publish(session: Session, entry: HistoryEntry): void {
    const log = this.log;
    if (!log || !this.engine?.reachable()) return this.unavailable(session, entry.ref, 'the cluster engine cannot be reached');
    const msgId = chatMessageId(session.clientId, entry.ref);
    const sent: InFlight = { session, clientId: session.clientId, ref: entry.ref };
    this.inFlight.set(msgId, sent);
    log.publish(streamBody(entry), msgId).then(
      (pubAck) => {
        // A duplicate (a resend after a failover) carries the original's seq: acked with it, once delivered.
        sent.seq = pubAck.seq;
        if (pubAck.seq <= this.position) this.acknowledge(sent);
        else this.waiting.push(sent);
      },
      (err: Error) => {
        if (this.inFlight.get(msgId) === sent) this.inFlight.delete(msgId);
        this.unavailable(session, entry.ref, err.message);
      },
    );
  }

  /**
   * A message the relay writes itself (a file offer's record) goes to the stream; every relay
   * delivers it to all its readers' connections when it reads it back. Resolves with its id (the
   * first one's for a duplicate: a re-offer after a failover is recorded once).
   */
  async publishRecord(entry: HistoryEntry): Promise<string> {
    const log = this.log;
    if (!log || !this.engine?.reachable()) throw new Error('the cluster engine cannot be reached');
    const pubAck = await log.publish(streamBody(entry), chatMessageId(entry.from, entry.ref));
    return `${log.epoch}-${pubAck.seq}`;
  }

  /** A change of a stored message goes to the stream; every relay applies it when it reads it back. */
  publishChange(change: StreamChange, asker: ChangeAsker, replySeq?: number): void {
    const log = this.log;
    if (!log || !this.engine?.reachable()) {
      asker.refused?.(new Refusal(ErrorCode.Unavailable, 'not changed: the cluster engine cannot be reached; try again later'));
      return;
    }
    const msgId = changeMessageId(change, replySeq);
    if (asker.done || asker.refused) this.changesInFlight.set(msgId, asker);
    log.publish(encodeChange(change, msgId), msgId).catch((err: Error) => {
      this.changesInFlight.delete(msgId);
      this.ctx.logger.warn('a message change was not stored by the engine', { target: change.target, op: change.op.t, error: err.message });
      asker.refused?.(new Refusal(ErrorCode.Unavailable, `not changed: ${err.message}; try again later`));
    });
  }

  /** One stream record read back: a message held, delivered and its sender acked; or a change applied. */
  private readBack(seq: number, data: Uint8Array): void {
    const { history, recentRefs } = this.ctx;
    const log = this.log;
    if (!log) return;
    const record: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    const change = changeOf(record);
    if (change !== undefined) return this.changeReadBack(seq, change, data);
    const entry = { ...(record as HistoryEntry), id: `${log.epoch}-${seq}`, seq };
    const msgId = chatMessageId(entry.from, entry.ref);
    const frame = chatMessageFrame(entry, false);
    // Held before it is delivered: a client joining now gets it from the replay or live, never both.
    if (history.appendAt(entry, frame.subarray(HEADER_BYTES))) {
      const sending = this.inFlight.get(msgId)?.session;
      const ack = this.deliver(entry, frame, sending);
      recentRefs.remember(entry.from, entry.ref, ackFrame(ack), HEADER_BYTES);
      // The relay that took a reply has its thread's summary count it (once, by the reply's seq).
      const rootSeq = entry.thread === undefined ? undefined : seqOfMessageId(entry.thread);
      if (sending && rootSeq !== undefined) this.changes.replied(rootSeq, '', { from: entry.from, ts: entry.ts, seq });
    } else {
      this.ctx.logger.warn('chat log entry not held: its seq is not past the history', { seq, held: history.seq });
    }
    this.moved(seq);
  }

  private changeReadBack(seq: number, change: ChangeRecord | Error, data: Uint8Array): void {
    if (change instanceof Error) {
      this.ctx.logger.warn('skipping a malformed change in the chat log', { seq, error: change.message, bytes: data.length });
    } else {
      const refusal = this.changes.applyFromStream(seq, change);
      const asker = this.changesInFlight.get(change.id);
      this.changesInFlight.delete(change.id);
      if (refusal) asker?.refused?.(refusal);
      else asker?.done?.(seq);
    }
    this.moved(seq);
  }

  /** The reader passed `seq`: senders waiting for it are acked, the start-up catch-up may end. */
  private moved(seq: number): void {
    this.position = Math.max(this.position, seq);
    if (this.waiting.length > 0) this.acknowledgeUpTo(this.position);
    if (this.caughtUp && this.position >= this.caughtUp.seq) {
      this.caughtUp.resolve();
      this.caughtUp = undefined;
    }
  }

  /** To every connection of the conversation's readers on this relay except the sending one;
   *  the ack counts who was reached here. */
  private deliver(entry: HistoryEntry, frame: Buffer, sending: Session | undefined): Ack {
    const { audience, flow, directory } = this.ctx;
    const ack: Ack = { t: 'ack', ref: entry.ref, id: entry.id, seq: entry.seq, ts: entry.ts, reached: 0, online: [], offline: [] };
    const direct = Array.isArray(entry.to);
    for (const [clientId, sessions] of audience.online(conversationKeyOf(entry.to, entry.from))) {
      let wrote = false;
      for (const target of sessions) {
        if (target === sending || entry.seq <= target.hasUpTo) continue;
        flow.deliver(target, frame);
        wrote = true;
      }
      if (!wrote) continue;
      directory.delivered(clientId, entry.seq);
      if (clientId === entry.from) continue;
      ack.reached++;
      if (direct) ack.online.push(clientId);
    }
    if (sending) this.countElsewhere(entry, ack);
    return ack;
  }

  /**
   * For the sender's ack: the readers connected only to other relays, whose relays deliver it
   * as they read it, count as reached; a direct message's recipients online nowhere are offline.
   */
  private countElsewhere(entry: HistoryEntry, ack: Ack): void {
    const { byClient, directory, presence, store } = this.ctx;
    if (Array.isArray(entry.to)) {
      for (const clientId of new Set(entry.to)) {
        if (clientId === entry.from || ack.online.includes(clientId)) continue;
        if (directory.onlineElsewhere(clientId)) {
          ack.reached++;
          ack.online.push(clientId);
        } else if (!byClient.has(clientId)) ack.offline.push(clientId);
      }
      return;
    }
    // #general: everyone online elsewhere; a channel: its members online elsewhere (those who
    // hear of it, as audience.ts has it), found by lookups rather than a read check per person.
    const conv = conversationKeyOf(entry.to, entry.from);
    if (conv === GENERAL_KEY) {
      for (const _person of presence.onlyElsewhere(entry.from)) ack.reached++;
      return;
    }
    for (const member of store.channel(conv.slice(1))?.members ?? []) {
      if (member !== entry.from && !byClient.has(member) && directory.onlineElsewhere(member)) ack.reached++;
    }
  }

  private acknowledgeUpTo(position: number): void {
    const ready = this.waiting.filter((s) => s.seq! <= position);
    if (ready.length === 0) return;
    this.waiting = this.waiting.filter((s) => s.seq! > position);
    for (const sent of ready) this.acknowledge(sent);
  }

  /** The ack the reader remembered for this (sender, ref); a minimal one when it is not held here. */
  private acknowledge(sent: InFlight): void {
    const msgId = chatMessageId(sent.clientId, sent.ref);
    if (this.inFlight.get(msgId) === sent) this.inFlight.delete(msgId);
    const known = this.ctx.recentRefs.get(sent.clientId, sent.ref);
    const seq = sent.seq!;
    const bytes = known
      ? encodeFrame(FrameKind.Control, known)
      : ackFrame({ t: 'ack', ref: sent.ref, id: `${this.log!.epoch}-${seq}`, seq, ts: Date.now(), reached: 0, online: [], offline: [] });
    if (sent.session.state === 'ready') sent.session.connection.sendEncoded(bytes);
  }

  private unavailable(session: Session, ref: string, reason: string): void {
    session.connection.send({
      t: 'error',
      code: ErrorCode.Unavailable,
      message: `message not sent: ${reason}; nobody received it, it is sent again later`.slice(0, 500),
      ref,
      fatal: false,
    });
  }
}

/** A message as the stream stores it: without id and seq (JSON leaves them out), which the
 *  reader sets from the stream's seq. */
function streamBody(entry: HistoryEntry): Buffer {
  return Buffer.from(JSON.stringify({ ...entry, id: undefined, seq: undefined }), 'utf8');
}
