import * as crypto from 'node:crypto';
import { ErrorCode, RETRYABLE_SENDS, TeamMessengerError } from '../protocol/errors';
import { Ack, CHANNEL_TARGET, ClientMessage, CodeRef, isClientId, Limits, Send, Targets } from '../protocol/messages';
import type { Attachment, Mention } from '../protocol/richMessages';
import { codeParts, CodeParts } from '../protocol/codeMessages';
import type { PendingMessage } from './clientTypes';

/** What a message may carry beside its text: a code excerpt, a caller-chosen ref, a thread,
 *  mentions, urgency and attachments. */
export interface SendOptions extends CodeParts {
  code?: CodeRef;
  ref?: string;
  /** Reply in the thread of this message (its id); the relay attaches a reply to a reply to
   *  the thread's root. */
  thread?: string;
  /** Client ids, 'channel' or 'here'; the relay keeps them once each, in this order. */
  mentions?: Mention[];
  urgent?: true;
  attachments?: Attachment[];
}

/** The optional parts of a message kept with it while it waits (everything but ref/to/text). */
type MessageParts = Pick<SendOptions, 'code' | 'thread' | 'mentions' | 'urgent' | 'attachments' | 'patch' | 'block' | 'problem'>;

interface OutboxEntry extends PendingMessage {
  resolve(ack: Ack): void;
  reject(err: TeamMessengerError): void;
  /** Retryable refusals so far (each waits longer before the message goes again). */
  retries?: number;
}

/** Waits before a message refused for a passing reason (UNAVAILABLE) goes again: a short outage
 *  heals unnoticed, a long one is not hammered. */
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

/**
 * The one outbox: messages the user sent that the relay has not acknowledged, in order. They
 * are written when connected, written again after every reconnect (the relay drops duplicates
 * by ref), and settled by the relay's ack or error. An app that persists its own copy passes the
 * same ref again after a restart, and the outbox then holds it once.
 */
export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  /** The last way to write given (it sends on whatever connection is current): for retries. */
  private write: ((message: ClientMessage) => void) | undefined;
  private readonly retryTimers = new Map<OutboxEntry, NodeJS.Timeout>();

  constructor(private readonly maxPending = 10_000) {}

  get length(): number {
    return this.entries.length;
  }

  get pending(): PendingMessage[] {
    return this.entries.map(toPending);
  }

  has(ref: string): boolean {
    return this.entries.some((e) => e.ref === ref);
  }

  /**
   * Checks and queues a message; `write` sends it at once when given (connected). Resolves with
   * the relay's ack. Everything the relay would refuse is refused here: it would otherwise be
   * resent after every reconnect, forever.
   */
  add(to: Targets, text: string, options: SendOptions, write?: (message: ClientMessage) => void): Promise<Ack> {
    if (text.length > Limits.textChars) {
      return Promise.reject(new TeamMessengerError(ErrorCode.TooLarge, `message is ${text.length} characters; the limit is ${Limits.textChars}`));
    }
    if (typeof to === 'string' && to !== 'all' && !CHANNEL_TARGET.test(to)) {
      return Promise.reject(new TeamMessengerError(ErrorCode.NotFound, `${JSON.stringify(to)} is not a channel (a channel target is "#<channel id>")`));
    }
    if (Array.isArray(to) && to.length === 0) return Promise.reject(new TeamMessengerError(ErrorCode.NoSuchPeer, 'no recipients given'));
    const bad = Array.isArray(to) ? to.find((id) => !isClientId(id)) : undefined;
    if (bad !== undefined) {
      return Promise.reject(new TeamMessengerError(ErrorCode.NoSuchPeer, `${JSON.stringify(bad)} is not a client id (use resolvePeer() for names)`));
    }
    // A caller-chosen ref (an app that persists its outbox) makes a resend after a restart
    // recognisable to the relay, which then delivers it once.
    const ref = options.ref ?? crypto.randomBytes(12).toString('base64url');
    const check = Send.safeParse(toSend({ ref, to, text, ...optional(options) }));
    if (!check.success) {
      return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, `cannot send this message: ${check.error.issues[0]?.message ?? 'invalid'}`));
    }
    if (this.entries.length >= this.maxPending) {
      return Promise.reject(new TeamMessengerError(ErrorCode.TooLarge, 'too many messages are waiting for the relay'));
    }
    return new Promise<Ack>((resolve, reject) => {
      const entry: OutboxEntry = { ref, to, text, ...optional(options), state: 'queued', createdAt: Date.now(), resolve, reject };
      this.entries.push(entry);
      if (write) {
        this.write = write;
        transmit(entry, write);
      }
    });
  }

  /** Writes every entry (again), in order: after a welcome. */
  transmitAll(write: (message: ClientMessage) => void): void {
    this.write = write;
    for (const entry of this.entries) transmit(entry, write);
  }

  /** Written but not acknowledged: to go again after reconnecting. A waiting retry is dropped
   *  with the connection: on the next one nothing may go before the hello (transmitAll sends all). */
  requeueAll(): void {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.write = undefined;
    for (const entry of this.entries) entry.state = 'queued';
  }

  /** The relay's ack: true when it settled an entry. */
  acknowledge(ack: Ack): boolean {
    const entry = this.take(ack.ref);
    entry?.resolve(ack);
    return entry !== undefined;
  }

  /** The relay refused the message with this ref: true when it settled an entry, or kept it to
   *  send again later (a retryable refusal: the relay stored nothing, and dedups by ref). */
  refuse(ref: string, error: TeamMessengerError): boolean {
    if (RETRYABLE_SENDS.has(error.code)) return this.retryLater(ref);
    const entry = this.take(ref);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** The client is closed for good: every entry fails; true when there were any. */
  failAll(error: TeamMessengerError): boolean {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    const entries = this.entries.splice(0);
    for (const entry of entries) entry.reject(error);
    return entries.length > 0;
  }

  private take(ref: string): OutboxEntry | undefined {
    const index = this.entries.findIndex((e) => e.ref === ref);
    if (index < 0) return undefined;
    const entry = this.entries[index];
    clearTimeout(this.retryTimers.get(entry));
    this.retryTimers.delete(entry);
    return this.entries.splice(index, 1)[0];
  }

  /** Keeps the entry and writes it again after a wait (sooner if a reconnect sends everything). */
  private retryLater(ref: string): boolean {
    const entry = this.entries.find((e) => e.ref === ref);
    if (!entry) return false;
    entry.state = 'queued';
    const delay = RETRY_DELAYS_MS[Math.min(entry.retries ?? 0, RETRY_DELAYS_MS.length - 1)];
    entry.retries = (entry.retries ?? 0) + 1;
    clearTimeout(this.retryTimers.get(entry));
    const timer = setTimeout(() => {
      this.retryTimers.delete(entry);
      if (entry.state === 'queued' && this.write) transmit(entry, this.write);
    }, delay);
    // A waiting retry never keeps a process alive on its own.
    timer.unref();
    this.retryTimers.set(entry, timer);
    return true;
  }
}

function transmit(entry: OutboxEntry, write: (message: ClientMessage) => void): void {
  entry.state = 'sent';
  write(toSend(entry));
}

function toSend(message: { ref: string; to: Targets; text: string } & MessageParts): Send {
  return { t: 'send', ref: message.ref, to: message.to, text: message.text, ...optional(message) };
}

/** The optional fields that are there, and none set to undefined (they would be sent as such);
 *  empty mention and attachment lists are left out (the protocol has no empty attachment list). */
function optional(options: MessageParts): MessageParts {
  return {
    ...(options.code ? { code: options.code } : {}),
    ...(options.thread !== undefined ? { thread: options.thread } : {}),
    ...(options.mentions?.length ? { mentions: options.mentions } : {}),
    ...(options.urgent ? { urgent: true as const } : {}),
    ...(options.attachments?.length ? { attachments: options.attachments } : {}),
    ...codeParts(options),
  };
}

function toPending(entry: OutboxEntry): PendingMessage {
  return { ref: entry.ref, to: entry.to, text: entry.text, ...optional(entry), state: entry.state, createdAt: entry.createdAt };
}
