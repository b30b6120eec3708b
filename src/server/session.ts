import type { TeamMessengerError } from '../net/protocol/errors';
import type { DataFrameParts } from '../net/protocol/frame';
import type { FramedConnection } from '../net/framedConnection';
import type { MessageRate, Ticket } from './admission';
import type { Throttle } from './throttle';
import type { ClientMessage, PeerInfo, PeerStatus, RelayMessage } from '../net/protocol/messages';
import type { PresenceSession } from './presence';

/** What a session tells the relay: one object shared by every session. */
export interface SessionEvents {
  message(session: Session, message: ClientMessage): void;
  data(session: Session, frame: DataFrameParts): void;
  failure(session: Session, error: TeamMessengerError): void;
  close(session: Session): void;
  beforeChunk(session: Session, bytes: number): void;
  afterChunk(session: Session, bytes: number): void;
}

export type PauseReason = 'throttle' | 'backpressure' | 'turn' | 'greeting';
const PAUSE_BITS: Record<PauseReason, number> = { throttle: 1, backpressure: 2, turn: 4, greeting: 8 };

/** One client connection as the relay sees it, from accept to close. */
export class Session implements PresenceSession {
  /** 'handshake' until a valid hello, 'ready' while it may chat, 'closed' after. */
  state: 'handshake' | 'ready' | 'closed' = 'handshake';
  clientId = '';
  instance = '';
  name = '';
  machine = '';
  status: PeerStatus = 'online';
  readonly since = Date.now();
  lastReceived = Date.now();
  rtt: number | undefined;
  /** Why the relay is closing this connection, told to the others in the leave event. */
  closeReason: string | undefined;
  /** The keepalive ping in flight: its number and when it left. */
  pingOut: { n: number; at: number } | undefined;
  /** Set when the relay limits this connection's file data rate. */
  throttle: Throttle | undefined;
  /** Message rate limit, when the relay has one. */
  rate: MessageRate | undefined;
  /** Chat text budget (characters per second), when the relay has one. */
  textRate: MessageRate | undefined;
  /** Peer search budget, from the first search on. */
  searchRate: MessageRate | undefined;
  overRate = 0;
  /** Control messages handled from the current read (see FlowControl.endTurn). */
  messagesThisRead = 0;
  /** When this connection's current turn began (FlowControl's clock; 0 between turns). */
  turnStartedAt = 0;
  /** The size of the read being handled (frames held by a pause belong to the last one). */
  readBytes = 0;
  /** Bytes of full reads since this connection's turn began (FlowControl.endTurn). */
  bytesThisTurn = 0;
  overRateSince = 0;
  /** Dropped as a slow consumer; its socket is closing. */
  dropped = false;
  /** Why reading from this connection is paused: its file data rate, a receiver it outran, or
   *  its hello waiting for the cluster to count an invite use.
   *  Reading resumes only when no reason is left. */
  private pauses = 0;
  /** Senders paused because this connection's queue is over the relay's backpressure mark,
   *  and since when (for the slow-consumer grace). */
  waitingSenders: Set<Session> | undefined;
  backpressureSince = 0;
  /** The receivers this connection is paused for (made when first needed: 10,000 idle
   *  connections should not carry 10,000 empty sets). */
  blockedBy: Set<Session> | undefined;
  /** The client understands presence frames (it sent a watch set); see presence.ts. */
  presenceAware = false;
  /** The client has every message up to this seq (its bookmark was past the relay's history
   *  when it came, in a cluster): live ones up to it are not sent again. */
  hasUpTo = 0;
  /** Handshake-only state, let go once the hello is accepted. */
  handshakeTimer: NodeJS.Timeout | undefined;
  serverNonce: string;
  /** Its place in the admission counts (set right after construction). */
  ticket!: Ticket;
  /** Set right after construction: the connection reports to this session (see SessionEvents). */
  connection!: FramedConnection<ClientMessage, RelayMessage>;

  constructor(
    readonly id: number,
    /** The peer's IP address (without port): what connection caps and lock-outs count by. */
    readonly ip: string,
    readonly port: number,
    serverNonce: string,
    private readonly events: SessionEvents,
  ) {
    this.serverNonce = serverNonce;
  }

  /** "ip:port", as logs and peer lists show it; made when asked rather than kept per connection. */
  get address(): string {
    return `${this.ip}:${this.port}`;
  }

  // The connection's handlers are this session's own methods, passing it to the relay's one
  // shared set of hooks: no closures per connection (10,000 idle connections, ~10 KB each).
  onMessage(message: ClientMessage): void {
    this.events.message(this, message);
  }

  onDataParts(frame: DataFrameParts): void {
    this.events.data(this, frame);
  }

  onFailure(error: TeamMessengerError): void {
    this.events.failure(this, error);
  }

  onClose(): void {
    this.events.close(this);
  }

  beforeChunk(bytes: number): void {
    this.events.beforeChunk(this, bytes);
  }

  afterChunk(bytes: number): void {
    this.events.afterChunk(this, bytes);
  }

  /** The handshake is over: the timer and the challenge are not needed any more. */
  handshakeDone(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.serverNonce = '';
  }

  get paused(): boolean {
    return this.pauses !== 0;
  }

  isPausedFor(reason: PauseReason): boolean {
    return (this.pauses & PAUSE_BITS[reason]) !== 0;
  }

  pauseReading(reason: PauseReason): void {
    if (this.pauses === 0) this.connection.pauseReading();
    this.pauses |= PAUSE_BITS[reason];
  }

  resumeReading(reason: PauseReason): void {
    if (!this.isPausedFor(reason)) return;
    this.pauses &= ~PAUSE_BITS[reason];
    if (this.pauses !== 0 || this.state === 'closed') return;
    // Time spent paused by the relay is not the peer's silence.
    this.lastReceived = Date.now();
    this.connection.resumeReading();
  }

  info(): PeerInfo {
    return {
      id: this.id,
      clientId: this.clientId,
      name: this.name,
      machine: this.machine,
      address: this.address,
      status: this.status,
      since: this.since,
      ...(this.rtt !== undefined ? { rtt: Math.round(this.rtt * 100) / 100 } : {}),
    };
  }
}
