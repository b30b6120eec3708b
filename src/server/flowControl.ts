import { DataFrameParts } from '../net/protocol/frame';
import { Logger } from '../net/logger';
import { Session } from './session';
import { Throttle } from './throttle';

export interface FlowLimits {
  /** A connection whose unsent data grows past this is dropped as a slow consumer. */
  maxQueuedBytes: number;
  /** A reader with more chat than this queued pauses the senders of direct messages to it. */
  backpressureBytes: number;
  /** A reader that keeps senders paused longer than this is dropped. */
  slowConsumerGraceMs: number;
  /** File data a connection may send per second (undefined or 0: unlimited). */
  throttleBytesPerSecond?: number;
  /** How long one connection's messages from a full read may hold the event loop while others
   *  are talking, before theirs get a turn (ms). */
  turnBudgetMs: number;
  /** How recently another connection must have sent a message to count as talking (ms, default
   *  OTHERS_ACTIVE_MS). */
  othersActiveMs?: number;
  /** What turns are timed by, in ms (default `performance.now`; tests bring their own). */
  clock?: () => number;
}

/** A read at least this big suggests the peer has more waiting: Node reads up to 64 KiB at a
 *  time from TCP, and TLS hands over at most one 16 KiB record per chunk. */
const FULL_READ_BYTES = 16 * 1024;
/** …and this many control messages in it, a flood rather than a file. */
const BUSY_READ_MESSAGES = 32;
/** Another connection sent a message this recently: someone else is talking, and a flood or a
 *  file gives up turns. */
const OTHERS_ACTIVE_MS = 20;
/** What one connection may read in a row (full reads) while someone else talks, before the others
 *  get a turn: one of Node's reads, or four TLS records. */
const TURN_BYTES = 64 * 1024;

/**
 * Who waits for whom in the relay. Every frame for a client is queued through here, bounded by
 * `maxQueuedBytes`; a direct message's sender waits for a slow reader (backpressure) instead of
 * the relay holding the difference; a connection's long read gives others a turn once it has
 * held the event loop for the turn budget while they talk, one whose read was a flood of
 * messages gets one read per turn, and a file sender gets 64 KiB per turn while others talk; a
 * file sender over its configured rate is paused.
 */
export class FlowControl {
  private readonly clock: () => number;
  /** When the read being decoded began (FlowControl's clock). */
  private readAt = 0;
  /** The connection that talked last and when its read began, and when any other did. */
  private lastTalker: Session | undefined;
  private lastTalkAt = -Infinity;
  private othersLastTalkAt = -Infinity;

  constructor(
    private readonly limits: FlowLimits,
    private readonly logger: Logger,
  ) {
    this.clock = limits.clock ?? (() => performance.now());
  }

  /** Queues a frame for one session, dropping the session if it cannot keep up. */
  deliver(target: Session, frame: Buffer): void {
    if (target.state !== 'ready' || target.dropped) return;
    if (target.connection.writer.queuedBytes + frame.length > this.limits.maxQueuedBytes) {
      this.dropSlow(target);
      return;
    }
    target.connection.sendEncoded(frame);
  }

  /** What is queued for a session besides file data (which has its own credit flow). */
  private chatBacklog(target: Session): number {
    const writer = target.connection.writer;
    return writer.queuedBytes - writer.queuedDataBytes;
  }

  /**
   * A direct message's receiver reads slower than its sender writes: stop reading the sender
   * until the receiver's queue has drained, so the sender goes at the receiver's pace and the
   * relay holds about `backpressureBytes` for it instead of piling up the difference (and
   * spending its one thread on a flood nobody can read). Broadcasts never pause anyone — one
   * slow member must not stall the team; a consumer too slow for those is dropped at
   * maxQueuedBytes. A receiver that keeps senders waiting past the grace is dropped as well.
   */
  private holdSender(sender: Session, target: Session): void {
    if (sender.blockedBy?.has(target)) return;
    if (!target.waitingSenders) {
      target.waitingSenders = new Set();
      target.backpressureSince = Date.now();
      // 'drain' comes once the socket has written everything queued: the writes that made the
      // backlog returned false, so it is sure to come unless the socket closes (see onClose).
      target.connection.socket.once('drain', () => this.releaseSenders(target));
    }
    target.waitingSenders.add(sender);
    (sender.blockedBy ??= new Set()).add(target);
    sender.pauseReading('backpressure');
  }

  private releaseSenders(target: Session): void {
    const waiting = target.waitingSenders;
    if (!waiting) return;
    target.waitingSenders = undefined;
    for (const sender of waiting) {
      sender.blockedBy?.delete(target);
      if (!sender.blockedBy?.size) sender.resumeReading('backpressure');
    }
  }

  /** Once: the socket closes on a later turn, and frames queued meanwhile must not log again. */
  dropSlow(target: Session): void {
    target.dropped = true;
    this.logger.warn('dropping slow consumer', { id: target.id, name: target.name, queuedBytes: target.connection.writer.queuedBytes });
    target.closeReason = 'too slow to keep up';
    target.connection.destroy();
  }

  /** File data for a receiver: queued behind its chat, bounded like everything else it is sent. */
  deliverData(target: Session, header: Buffer, frame: DataFrameParts): void {
    if (target.state !== 'ready' || target.dropped) return;
    if (target.connection.writer.queuedBytes + frame.length > this.limits.maxQueuedBytes) {
      this.dropSlow(target);
      return;
    }
    // Pooled slabs go back once written; a frame dropped above is left to the collector.
    target.connection.writer.writeData(header, frame.parts, frame.release);
  }

  /** A read of `bytes` from `session` is about to be decoded. */
  readStarting(session: Session, bytes: number): void {
    session.readBytes = bytes;
    this.readAt = this.clock();
  }

  /** Has a connection other than `session` talked within `othersActiveMs`? */
  private othersTalking(session: Session, now: number): boolean {
    const othersTalkAt = session === this.lastTalker ? this.othersLastTalkAt : this.lastTalkAt;
    return now - othersTalkAt <= (this.limits.othersActiveMs ?? OTHERS_ACTIVE_MS);
  }

  /**
   * A control message from `session` is about to be handled: its turn starts now, unless it has
   * begun. `talk` says whether it is someone talking, whom a flood or a file should give turns
   * to; the relay says no for a transfer's credit, which the receiver sends every few MiB as
   * part of the transfer itself (counted as talk, a transfer alone would give up its turn for
   * nobody's benefit).
   */
  messageStarting(session: Session, talk: boolean): void {
    if (session.turnStartedAt === 0) session.turnStartedAt = this.clock();
    if (!talk) return;
    if (session !== this.lastTalker) {
      this.othersLastTalkAt = this.lastTalkAt;
      this.lastTalker = session;
    }
    this.lastTalkAt = this.readAt;
  }

  /**
   * A control message was handled. Once one connection's messages from a full read have held
   * the event loop for the turn budget, the rest of the read waits (the decoder holds it) until
   * every other connection has had its turn: one 64 KiB read of a flooding sender is ~600
   * messages, 2 ms of routing that every message arriving from anyone else would otherwise wait
   * behind.
   *
   * A turn given up costs a write to every socket the connection's messages reached so far (the
   * writes of a turn go out together), so it is given up only when it can help: never for a
   * short read (everything the peer had sent), and only while someone else is talking (another
   * connection sent a message within OTHERS_ACTIVE_MS). A broadcast to 100 members cut into turns
   * nobody used went at half its speed; a quiet member's first message waits for at most the rest
   * of one read, as it did before turns were cut.
   *
   * File data is not timed but counted (endTurn): a frame costs little per byte, and timing it
   * too did not help chat during a transfer (bench/NOTES.md).
   */
  messageHandled(session: Session): void {
    if (session.readBytes < FULL_READ_BYTES) return;
    const now = this.clock();
    if (now - session.turnStartedAt < this.limits.turnBudgetMs) return;
    if (!this.othersTalking(session, now)) {
      session.turnStartedAt = now; // nobody else is talking: go on, and look again after a budget
      return;
    }
    this.yieldTurn(session);
  }

  /**
   * After each read. Node reads a ready socket up to 32 times in a row (2 MiB), so one peer with
   * a backlog could have all of that handled before anyone else's next message:
   * - a full read of many messages (a flood) ends the connection's turn at once;
   * - full reads of anything else — file data, mostly — end it every TURN_BYTES while someone
   *   else is talking. A chat message that arrives during a transfer then waits for one read of
   *   file data, not 32 (measured in bench/NOTES.md). With nobody else talking, file data goes
   *   at Node's pace.
   * Short reads — a person chatting, the end of what a peer had sent — are never paused.
   */
  endTurn(session: Session, bytes: number): void {
    const messages = session.messagesThisRead;
    session.messagesThisRead = 0;
    // A short read (or held frames handed out on resume) ends this connection's turn: Node reads
    // it again only on a later one. After a full read it may read again at once, on the same clock.
    if (bytes < FULL_READ_BYTES) {
      session.turnStartedAt = 0;
      session.bytesThisTurn = 0;
      return;
    }
    session.bytesThisTurn += bytes;
    // Talk is timed by when reads began, so the read just handled is "now" here.
    if (messages >= BUSY_READ_MESSAGES || (session.bytesThisTurn >= TURN_BYTES && this.othersTalking(session, this.readAt))) {
      this.yieldTurn(session);
    }
  }

  /** The rest of this connection's read waits for the next turn of the event loop. */
  private yieldTurn(session: Session): void {
    session.turnStartedAt = 0;
    session.bytesThisTurn = 0;
    if (session.isPausedFor('turn') || session.state === 'closed') return;
    session.pauseReading('turn');
    setImmediate(() => session.resumeReading('turn'));
  }

  /** Pauses reading a sender that is over its configured data rate. */
  throttle(session: Session, bytes: number): void {
    const rate = this.limits.throttleBytesPerSecond;
    if (!rate) return;
    session.throttle ??= new Throttle(rate);
    const pauseMs = session.throttle.take(bytes);
    if (pauseMs <= 0 || session.isPausedFor('throttle')) return;
    session.pauseReading('throttle');
    setTimeout(() => session.resumeReading('throttle'), pauseMs).unref();
  }

  /** A direct message was just queued for `target`: hold its sender if the reader is behind. */
  afterDirectMessage(sender: Session, target: Session): void {
    if (this.chatBacklog(target) > this.limits.backpressureBytes) this.holdSender(sender, target);
  }

  /** Has this reader kept its senders waiting longer than the grace? */
  overGrace(session: Session, now: number): boolean {
    return session.waitingSenders !== undefined && now - session.backpressureSince > this.limits.slowConsumerGraceMs;
  }

  /** Whoever waited for this reader goes on; whatever this sender waited for forgets it. */
  sessionClosed(session: Session): void {
    this.releaseSenders(session);
    for (const target of session.blockedBy ?? []) target.waitingSenders?.delete(session);
    session.blockedBy = undefined;
  }
}
