import { searchPeers } from '../net/peerSearch';
import { encodeControl } from '../net/protocol/controlCodec';
import { ErrorCode } from '../net/protocol/errors';
import { encodeFrame, FrameKind, HEADER_BYTES } from '../net/protocol/frame';
import { conversationKeyOf, GENERAL_KEY } from '../net/protocol/conversationKeys';
import { Ack, ClientMessage, Send, Targets, Who } from '../net/protocol/messages';
import type { HistoryEntry } from './history';
import { ackFrame, chatMessageFrame } from './io/hotFrames';
import type { MessageChanges } from './messageChanges';
import { newestOf, RelayContext } from './relayContext';
import { notFound, Refusal } from './requestRefusal';
import { richParts } from './richFields';
import { codeParts, hasCodeParts } from '../net/protocol/codeMessages';
import type { Session } from './session';
import type { ClusterRouting } from './cluster/clusterRouting';

/**
 * What goes between people through the relay: chat messages (stored, delivered to every
 * connection of everyone in the conversation — #general, a channel's members, the people of a
 * direct or group message — the sender's other connections included, acknowledged to the
 * sender once, even when resent), thread replies, typing signals (never stored), peer searches
 * and peer pings.
 */
export class Router {
  constructor(
    private readonly ctx: RelayContext,
    private readonly changes: MessageChanges,
    /** Cluster mode: the stream numbers, delivers and acknowledges accepted messages. */
    private readonly cluster?: ClusterRouting,
  ) {}

  send(session: Session, send: Send): void {
    const { recentRefs, history } = this.ctx;
    const known = recentRefs.get(session.clientId, send.ref);
    if (known) {
      // A resend after a reconnect: it was delivered already, only the ack was lost.
      session.connection.sendEncoded(encodeFrame(FrameKind.Control, known));
      return;
    }
    // #general is 'all' whichever way it is named: one conversation, one key.
    const to: Targets = send.to === GENERAL_KEY ? 'all' : send.to;
    const refusal = this.targetRefusal(session.clientId, to);
    if (refusal) return this.refuseSend(session, send, refusal);
    // A direct message's key is a sort and a join: made only when a reply needs it.
    const conv = typeof to === 'string' || send.thread !== undefined ? conversationKeyOf(to, session.clientId) : '';
    const root = send.thread === undefined ? undefined : this.threadRoot(session.clientId, conv, send.thread);
    if (root instanceof Refusal) return this.refuseSend(session, send, root);
    // Plain sends (nearly all) carry none of these: no object is made for them.
    const rich = send.mentions || send.urgent || send.attachments ? richParts(send) : undefined;
    if (rich instanceof Refusal) return this.refuseSend(session, send, rich);
    const cluster = this.cluster;
    // In a cluster the stream numbers the message: id and seq are set when it comes back.
    const seq = cluster ? 0 : history.nextSeq();
    const id = cluster ? '' : `${history.epoch}-${seq}`;
    const entry: HistoryEntry =
      send.code || root || rich || hasCodeParts(send)
        ? {
            id,
            seq,
            ts: Date.now(),
            from: session.clientId,
            fromName: session.name,
            to,
            text: send.text,
            ...(send.code ? { code: send.code } : {}),
            ...(root ? { thread: root.id } : {}),
            ...rich,
            ...(hasCodeParts(send) ? codeParts(send) : undefined),
            ref: send.ref,
          }
        : // Nearly every message: a literal of one shape, no spreads (bench/NOTES.md).
          { id, seq, ts: Date.now(), from: session.clientId, fromName: session.name, to, text: send.text, ref: send.ref };
    // In a cluster the reader counts a reply on its thread root once the stream has it.
    if (cluster) return cluster.publish(session, entry);
    const frame = chatMessageFrame(entry, false);
    if (!history.durable) {
      history.append(entry, frame.subarray(HEADER_BYTES));
      this.stored(session, conv, entry, frame, root);
      return;
    }
    // On disk nobody hears of it, the sender included, until it is written (never an ack for
    // a message the relay did not store); a full disk gets the sender a clear error instead.
    history.append(entry, frame.subarray(HEADER_BYTES), {
      stored: () => this.stored(session, conv, entry, frame, root),
      notStored: (reason) =>
        this.refuseSend(session, send, new Refusal(ErrorCode.NotStored, `message not sent: ${reason}; nobody received it, send it again later`)),
    });
  }

  /** A message is kept: it goes to its conversation, and a reply counts on its thread. */
  private stored(session: Session, conv: string, entry: HistoryEntry, frame: Buffer, root: { seq: number } | undefined): void {
    this.deliver(session, conv, entry, frame);
    if (root) this.changes.replied(root.seq, conv, entry);
  }

  /** Why a message may not go to `to`: unknown people, a channel one may not write to. */
  private targetRefusal(clientId: string, to: Targets): Refusal | undefined {
    if (to === 'all') return undefined;
    if (typeof to === 'string') {
      const channel = this.ctx.channels.writable(clientId, to.slice(1));
      return channel instanceof Refusal ? channel : undefined;
    }
    const unknown = to.filter((id) => !this.ctx.directory.has(id));
    return unknown.length > 0 ? new Refusal(ErrorCode.NoSuchPeer, `unknown peer ${unknown.join(', ')}`) : undefined;
  }

  /** The thread a reply joins: its parent's, or the parent itself; the same conversation only. */
  private threadRoot(clientId: string, conv: string, parentId: string): { id: string; seq: number } | Refusal {
    const parent = this.changes.locate(clientId, parentId);
    if (parent instanceof Refusal) return parent;
    if (parent.conv !== conv) return notFound('message');
    if (parent.entry.thread === undefined) return { id: parentId, seq: parent.seq };
    const root = this.changes.locate(clientId, parent.entry.thread);
    return root instanceof Refusal ? root : { id: parent.entry.thread, seq: root.seq };
  }

  private refuseSend(session: Session, send: Send, refusal: Refusal): void {
    session.connection.send({ t: 'error', code: refusal.code, message: refusal.message.slice(0, 500), ref: send.ref, fatal: false });
  }

  /**
   * Delivers a stored message to every connection of everyone in its conversation, the
   * sender's other connections included (the sending one gets the ack), and acknowledges it.
   */
  private deliver(session: Session, conv: string, entry: HistoryEntry, frame: Buffer): void {
    const { recentRefs, byClient, flow, audience } = this.ctx;
    const seq = entry.seq;
    const ack: Ack = { t: 'ack', ref: entry.ref, id: entry.id, seq, ts: entry.ts, reached: 0, online: [], offline: [] };
    if (typeof entry.to === 'string') {
      // #general or a channel: its members online now; the others get it from history.
      for (const [clientId, targets] of audience.online(conv)) {
        if (this.deliverToIdentity(clientId, targets, session, frame, seq) && clientId !== session.clientId) ack.reached++;
      }
    } else {
      const to = entry.to;
      const own = byClient.get(session.clientId);
      if (own && own.length > 1) this.deliverToIdentity(session.clientId, own, session, frame, seq);
      for (const clientId of to.length === 1 ? to : new Set(to)) {
        if (clientId === session.clientId) continue; // notes to oneself: its other connections have it
        const targets = byClient.get(clientId);
        const wrote = targets !== undefined && this.deliverToIdentity(clientId, targets, session, frame, seq);
        if (wrote) {
          ack.reached++;
          ack.online.push(clientId);
        } else if (!targets) {
          ack.offline.push(clientId);
        }
      }
      for (const clientId of to) {
        for (const target of byClient.get(clientId) ?? []) {
          if (target !== session) flow.afterDirectMessage(session, target);
        }
      }
    }
    const ackBytes = ackFrame(ack);
    recentRefs.remember(session.clientId, entry.ref, ackBytes, HEADER_BYTES);
    // Queued now, written after the scheduler's beforeFlush has put the entry on disk; it may
    // wait a few milliseconds for the sender's next acks so a busy sender gets them in one write.
    session.connection.sendEncodedLazy(ackBytes);
  }

  /** Ephemeral: forwarded to the others of the conversation online now, never stored. */
  typing(session: Session, to: Targets): void {
    const { flow, audience, channels } = this.ctx;
    const target: Targets = to === GENERAL_KEY ? 'all' : to;
    const conv = conversationKeyOf(target, session.clientId);
    if (!channels.canRead(session.clientId, conv)) return;
    const typing = { t: 'typing' as const, from: session.clientId, fromName: session.name, to: target };
    const frame = encodeControl(typing);
    for (const [clientId, sessions] of audience.online(conv)) {
      if (clientId === session.clientId) continue;
      for (const s of sessions) flow.deliver(s, frame);
    }
    this.ctx.elsewhere.signals?.typing(typing);
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
    const presence = this.ctx.presence;
    // In a cluster, those connected only to other relays come after the local ones.
    function* onlineEverywhere() {
      yield* newestOfEach();
      yield* presence.onlyElsewhere(session.clientId);
    }
    const found = searchPeers(who.query, who.limit ?? 50, onlineEverywhere(), this.ctx.directory.offlineNewestFirst());
    session.connection.send({ t: 'who-result', n: who.n, peers: found.online.map((s) => s.info()), known: found.offline, more: found.more });
  }

  /** A peer ping or its answer, to every connection of the identity named (on every relay). */
  peerPing(session: Session, message: Extract<ClientMessage, { t: 'peer-ping' | 'peer-pong' }>): void {
    const targets = this.ctx.byClient.get(message.to);
    const elsewhere = this.ctx.directory.onlineElsewhere(message.to);
    if (!targets && !elsewhere) {
      session.connection.send({
        t: 'error',
        code: ErrorCode.NoSuchPeer,
        message: `${message.to} is not online`,
        ref: `${message.t}-${message.n}`,
        fatal: false,
      });
      return;
    }
    const forwarded =
      message.t === 'peer-ping'
        ? { t: 'peer-ping' as const, from: session.clientId, n: message.n }
        : { t: 'peer-pong' as const, from: session.clientId, n: message.n };
    const frame = encodeControl(forwarded);
    for (const target of targets ?? []) this.ctx.flow.deliver(target, frame);
    if (elsewhere) this.ctx.elsewhere.signals?.toPerson(message.to, forwarded);
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
