import { searchPeers } from '../net/peerSearch';
import { encodeControl } from '../net/protocol/controlCodec';
import { ErrorCode } from '../net/protocol/errors';
import { encodeFrame, FrameKind, HEADER_BYTES } from '../net/protocol/frame';
import { Ack, ClientMessage, Send, Targets, Who } from '../net/protocol/messages';
import type { HistoryEntry } from './history';
import { ackFrame, chatMessageFrame } from './io/hotFrames';
import { newestOf, RelayContext } from './relayContext';
import type { Session } from './session';

/**
 * What goes between people through the relay: chat messages (stored, delivered to every
 * connection of each target identity, acknowledged to the sender once, even when resent),
 * typing signals (never stored), peer searches and peer pings.
 */
export class Router {
  constructor(private readonly ctx: RelayContext) {}

  send(session: Session, send: Send): void {
    const { recentRefs, directory, history } = this.ctx;
    const known = recentRefs.get(session.clientId, send.ref);
    if (known) {
      // A resend after a reconnect: it was delivered already, only the ack was lost.
      session.connection.sendEncoded(encodeFrame(FrameKind.Control, known));
      return;
    }
    if (send.to !== 'all' && !send.to.every((id) => directory.has(id))) {
      const unknown = send.to.filter((id) => !directory.has(id));
      session.connection.send({
        t: 'error',
        code: ErrorCode.NoSuchPeer,
        message: `unknown peer ${unknown.join(', ')}`.slice(0, 500),
        ref: send.ref,
        fatal: false,
      });
      return;
    }
    const seq = history.nextSeq();
    const entry: HistoryEntry = {
      id: `${history.epoch}-${seq}`,
      seq,
      ts: Date.now(),
      from: session.clientId,
      fromName: session.name,
      to: send.to,
      text: send.text,
      ...(send.code ? { code: send.code } : {}),
      ref: send.ref,
    };
    const frame = chatMessageFrame(entry, false);
    if (!history.durable) {
      history.append(entry, frame.subarray(HEADER_BYTES));
      this.deliver(session, send, entry, frame);
      return;
    }
    // On disk nobody hears of it, the sender included, until it is written (never an ack for
    // a message the relay did not store); a full disk gets the sender a clear error instead.
    history.append(entry, frame.subarray(HEADER_BYTES), {
      stored: () => this.deliver(session, send, entry, frame),
      notStored: (reason) =>
        session.connection.send({
          t: 'error',
          code: ErrorCode.NotStored,
          message: `message not sent: ${reason}; nobody received it, send it again later`.slice(0, 500),
          ref: send.ref,
          fatal: false,
        }),
    });
  }

  /** Delivers a stored message to every connection of its targets and acknowledges it. */
  private deliver(session: Session, send: Send, entry: HistoryEntry, frame: Buffer): void {
    const { recentRefs, byClient, flow } = this.ctx;
    const seq = entry.seq;
    const ack: Ack = { t: 'ack', ref: send.ref, id: entry.id, seq, ts: entry.ts, reached: 0, online: [], offline: [] };
    if (send.to === 'all') {
      // Everyone connected gets it now; offline members get it from history when they return.
      for (const [clientId, targets] of byClient) {
        if (this.deliverToIdentity(clientId, targets, session, frame, seq) && clientId !== session.clientId) ack.reached++;
      }
    } else {
      for (const clientId of send.to.length === 1 ? send.to : new Set(send.to)) {
        const targets = byClient.get(clientId);
        const wrote = targets !== undefined && this.deliverToIdentity(clientId, targets, session, frame, seq);
        if (clientId === session.clientId) continue;
        if (wrote) {
          ack.reached++;
          ack.online.push(clientId);
        } else if (!targets) {
          ack.offline.push(clientId);
        }
      }
      for (const clientId of send.to) {
        for (const target of byClient.get(clientId) ?? []) {
          if (target !== session) flow.afterDirectMessage(session, target);
        }
      }
    }
    const ackBytes = ackFrame(ack);
    recentRefs.remember(session.clientId, send.ref, ackBytes.subarray(HEADER_BYTES));
    // Queued now, written after the scheduler's beforeFlush has put the entry on disk; it may
    // wait a few milliseconds for the sender's next acks so a busy sender gets them in one write.
    session.connection.sendEncodedLazy(ackBytes);
  }

  /** Ephemeral: forwarded to whoever of the targets is online now, never stored. */
  typing(session: Session, to: Targets): void {
    const { byClient, flow } = this.ctx;
    const frame = encodeControl({ t: 'typing', from: session.clientId, fromName: session.name, to });
    const ids = to === 'all' ? [...byClient.keys()] : to;
    for (const clientId of new Set(ids)) {
      for (const target of byClient.get(clientId) ?? []) if (target !== session) flow.deliver(target, frame);
    }
  }

  /** A peer search over who is online (each identity's newest connection) and who was here;
   *  never the one asking. */
  who(session: Session, who: Who): void {
    const byClient = this.ctx.byClient;
    function* newestOfEach() {
      for (const [clientId, same] of byClient) {
        if (clientId === session.clientId) continue;
        const newest = newestOf(same);
        if (newest) yield newest;
      }
    }
    const found = searchPeers(who.query, who.limit ?? 50, newestOfEach(), this.ctx.directory.offlineNewestFirst());
    session.connection.send({ t: 'who-result', n: who.n, peers: found.online.map((s) => s.info()), known: found.offline, more: found.more });
  }

  /** A peer ping or its answer, to every connection of the identity named. */
  peerPing(session: Session, message: Extract<ClientMessage, { t: 'peer-ping' | 'peer-pong' }>): void {
    const targets = this.ctx.byClient.get(message.to);
    if (!targets) {
      session.connection.send({
        t: 'error',
        code: ErrorCode.NoSuchPeer,
        message: `${message.to} is not online`,
        ref: `${message.t}-${message.n}`,
        fatal: false,
      });
      return;
    }
    const forward = encodeControl(
      message.t === 'peer-ping' ? { t: 'peer-ping', from: session.clientId, n: message.n } : { t: 'peer-pong', from: session.clientId, n: message.n },
    );
    for (const target of targets) this.ctx.flow.deliver(target, forward);
  }

  /** Queues a frame for every connection of one identity except the sender's. */
  private deliverToIdentity(clientId: string, targets: readonly Session[], sender: Session, frame: Buffer, seq: number): boolean {
    let wrote = false;
    for (const target of targets) {
      if (target === sender) continue;
      this.ctx.flow.deliver(target, frame);
      wrote = true;
    }
    if (wrote) this.ctx.directory.delivered(clientId, seq);
    return wrote;
  }
}
