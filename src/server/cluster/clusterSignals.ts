import { z } from 'zod';
import { conversationKeyOf } from '../../net/protocol/conversationKeys';
import { encodeControl } from '../../net/protocol/controlCodec';
import type { Logger } from '../../net/logger';
import { RelayMessage } from '../../net/protocol/messages';
import type { Audience } from '../audience';
import type { FlowControl } from '../flowControl';
import type { Session } from '../session';

/** The one subject every relay of a cluster hears signals on (core NATS, never stored). */
export const SIGNAL_SUBJECT = 'tm.signal';

/** What may go to a person on another relay: ephemeral messages, never chat (that is the stream's). */
const PERSON_MESSAGES = new Set(['peer-ping', 'peer-pong', 'file-request']);

const relayId = z.string().min(1).max(64);
const Signal = z.discriminatedUnion('k', [
  /** Someone is typing in a conversation: each relay tells its people in it. */
  z.object({ k: z.literal('typing'), from: relayId, message: RelayMessage }),
  /** A message for every connection of one identity, wherever it is connected. */
  z.object({ k: z.literal('person'), from: relayId, to: z.string().min(1).max(128), message: RelayMessage }),
]);
type Signal = z.infer<typeof Signal>;

/** What signals use of the engine connection. */
export interface SignalLink {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, options: { callback: (err: Error | null, msg: { data: Uint8Array }) => void }): { unsubscribe(): void };
}

export interface SignalHost {
  byClient: Map<string, Session[]>;
  audience: Audience;
  flow: FlowControl;
  logger: Logger;
}

/**
 * What people tell each other without it being stored — typing, peer pings and their answers,
 * a request for a message's attachment — reaches those connected to the other relays of a
 * cluster too. One core NATS subject for all: a handful of relays each take what concerns their
 * own people and drop the rest. The sending relay checks permissions as for its own people.
 */
export class ClusterSignals {
  private readonly subscription: { unsubscribe(): void };

  constructor(
    private readonly link: SignalLink,
    private readonly relayId: string,
    private readonly host: SignalHost,
  ) {
    this.subscription = link.subscribe(SIGNAL_SUBJECT, {
      callback: (err, msg) => {
        if (!err) this.onSignal(msg.data);
      },
    });
  }

  close(): void {
    this.subscription.unsubscribe();
  }

  /** `from` is typing in `to` (its relay delivered it to its own people already). */
  typing(message: Extract<RelayMessage, { t: 'typing' }>): void {
    this.publish({ k: 'typing', from: this.relayId, message });
  }

  /** A peer ping, its answer or a file request for `clientId`'s connections on the other relays. */
  toPerson(clientId: string, message: RelayMessage): void {
    this.publish({ k: 'person', from: this.relayId, to: clientId, message });
  }

  private onSignal(data: Uint8Array): void {
    let signal: Signal;
    try {
      const parsed = Signal.safeParse(JSON.parse(Buffer.from(data).toString('utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'malformed');
      signal = parsed.data;
    } catch (err) {
      this.host.logger.warn('ignoring a malformed signal from another relay', { error: (err as Error).message });
      return;
    }
    if (signal.from === this.relayId) return;
    const { message } = signal;
    if (signal.k === 'typing') {
      if (message.t !== 'typing') return;
      const frame = encodeControl(message);
      for (const [clientId, sessions] of this.host.audience.online(conversationKeyOf(message.to, message.from))) {
        if (clientId === message.from) continue;
        for (const session of sessions) this.host.flow.deliver(session, frame);
      }
      return;
    }
    if (!PERSON_MESSAGES.has(message.t)) return;
    const sessions = this.host.byClient.get(signal.to);
    if (!sessions) return;
    const frame = encodeControl(message);
    for (const session of sessions) this.host.flow.deliver(session, frame);
  }

  private publish(signal: Signal): void {
    try {
      this.link.publish(SIGNAL_SUBJECT, Buffer.from(JSON.stringify(signal), 'utf8'));
    } catch (err) {
      this.host.logger.debug('cannot publish a signal', { error: (err as Error).message });
    }
  }
}
