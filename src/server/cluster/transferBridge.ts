import { knownCode, TeamMessengerError } from '../../net/protocol/errors';
import { DataFrameParts, encodeHeader, FrameFlag, FrameKind } from '../../net/protocol/frame';
import type { Logger } from '../../net/logger';
import type { Answer, Cancel, Credit, FileResult, RelayMessage } from '../../net/protocol/messages';
import type { Session } from '../session';
import type { TransferParty, TransferRouter, TransferRouterHost } from '../transferRouter';
import { ClusterEngine } from './natsEngine';
import type { RemoteMember } from './remoteRoster';
import { DATA_PIECE_BYTES, decodeTransfer, encodeData, encodeNote, TransferNote, transferSubject } from './transferWire';

/** A connection on another relay of the cluster, as one side of a transfer run here. */
export class RemoteParty implements TransferParty {
  constructor(
    readonly relayId: string,
    /** Its id on its own relay. */
    readonly remoteId: number,
    readonly clientId: string,
    readonly name: string,
  ) {}
}

/** What the bridge uses of the engine connection it carries files on. */
export interface BridgeLink {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, options: { callback: (err: Error | null, msg: { data: Uint8Array }) => void }): { unsubscribe(): void };
}

export interface BridgeHost {
  /** This relay's own transfers (where its people are the senders). */
  readonly router: TransferRouter;
  /** The transfer host of this relay's own connections. */
  readonly local: TransferRouterHost;
  /** A ready local connection by its id. */
  session(id: number): Session | undefined;
  /** The connections of an identity on the other relays, oldest first. */
  remoteMembersOf(clientId: string): readonly RemoteMember[] | undefined;
  logger: Logger;
}

/** A transfer whose sender is on another relay (the origin) and whose receiver is here. */
interface Mirror {
  id: string;
  origin: string;
  /** The sending connection's id at the origin: when it leaves, the transfer stops. */
  senderId: number;
  receiver: Session;
  /** The origin's stream numbers → the ones the receiver knows them by here. */
  streams: Map<number, number>;
}

/**
 * File transfers between people on different relays of a cluster, over core NATS on a
 * connection of their own (so bulk data never delays presence or chat). The sender's relay
 * runs the transfer as if the receiver were local — its TransferRouter sees a RemoteParty — and
 * the bridge carries what it says to the receiver's relay; that relay keeps a mirror of the
 * transfer, numbers its streams locally, and carries the receiver's answer, credit and results
 * back. The credit window paces the data end to end. When either side's connection or relay
 * goes, the other is told the transfer stopped resumably, and its client offers it again.
 */
export class TransferBridge {
  /** Remote connections this relay's transfers send to, by `relayId:remoteId`. */
  private readonly parties = new Map<string, RemoteParty>();
  private readonly mirrors = new Map<string, Mirror>();
  /** A local stream number of a mirror → its mirror and the origin's number. */
  private readonly localStreams = new Map<number, { mirror: Mirror; origin: number }>();
  /** `origin:originStream` → the mirror and the local number (data comes in the origin's numbers). */
  private readonly originStreams = new Map<string, { mirror: Mirror; local: number }>();
  private subscription: { unsubscribe(): void } | undefined;
  /** The connection open() made, closed with the bridge. */
  private engine: ClusterEngine | undefined;

  constructor(
    private readonly link: BridgeLink,
    private readonly relayId: string,
    private readonly host: BridgeHost,
  ) {
    this.subscription = this.link.subscribe(transferSubject(this.relayId), {
      callback: (err, msg) => {
        if (!err) this.onMessage(msg.data);
      },
    });
  }

  /** A bridge on a connection of its own to the engine (`relayId`: this relay's in the cluster). */
  static async open(servers: string[], relayId: string, host: BridgeHost): Promise<TransferBridge> {
    const engine = await ClusterEngine.connect({ servers, logger: host.logger, name: 'team-messenger relay files' });
    const bridge = new TransferBridge(engine.nc, relayId, host);
    bridge.engine = engine;
    return bridge;
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    for (const mirror of [...this.mirrors.values()]) this.endMirror(mirror);
    this.parties.clear();
    await this.engine?.close();
  }

  // ------------------------------------------------------------------ origin: our sender, their receiver

  /** The newest connection of an identity on another relay, as a party (one object per connection). */
  receiverElsewhere(clientId: string): RemoteParty | undefined {
    const member = this.host.remoteMembersOf(clientId)?.at(-1);
    if (!member) return undefined;
    const key = `${member.relayId}:${member.remoteId}`;
    let party = this.parties.get(key);
    if (!party) this.parties.set(key, (party = new RemoteParty(member.relayId, member.remoteId, clientId, member.name)));
    return party;
  }

  sendTo(party: RemoteParty, message: RelayMessage): void {
    const transfer = 'transfer' in message && typeof message.transfer === 'string' ? message.transfer : undefined;
    if (!transfer) return; // only transfer messages go to a receiver
    if (message.t === 'offer') {
      const sender = this.host.router.senderOf(transfer);
      if (!sender) return;
      this.publish(party.relayId, { k: 'offer', from: this.relayId, transfer, to: party.remoteId, sender: sender.id, message });
    } else this.publish(party.relayId, { k: 'deliver', from: this.relayId, transfer, message });
  }

  dataTo(party: RemoteParty, frame: DataFrameParts): void {
    const payload = frame.parts.length === 1 ? frame.parts[0]! : Buffer.concat(frame.parts, frame.length);
    // Copied into the engine's messages below: pooled slabs can go back at once.
    const pieces: Uint8Array[] = [];
    if (frame.flags & FrameFlag.End || payload.length <= DATA_PIECE_BYTES) pieces.push(encodeData(this.relayId, frame.stream, frame.flags, payload));
    else
      for (let at = 0; at < payload.length; at += DATA_PIECE_BYTES) {
        pieces.push(encodeData(this.relayId, frame.stream, frame.flags, payload.subarray(at, Math.min(at + DATA_PIECE_BYTES, payload.length))));
      }
    frame.release?.();
    for (const piece of pieces) this.publishRaw(party.relayId, piece);
  }

  failTo(party: RemoteParty, error: TeamMessengerError): void {
    this.publish(party.relayId, { k: 'fail', from: this.relayId, to: party.remoteId, code: error.code, message: error.message.slice(0, 500) });
  }

  /** A note about one of our transfers from the receiver's relay: to the router, as from the party. */
  private fromReceiverRelay(note: Extract<TransferNote, { k: 'answer' | 'credit' | 'file-result' | 'cancel' | 'gone' }>): void {
    const party = this.host.router.receiverOf(note.transfer);
    if (!(party instanceof RemoteParty) || party.relayId !== note.from) return; // over already, or not theirs
    const router = this.host.router;
    switch (note.k) {
      case 'answer':
        return router.answer(party, note.answer);
      case 'credit':
        return router.credit(party, note.credit);
      case 'file-result':
        return router.fileResult(party, note.result);
      case 'cancel':
        return router.cancel(party, note.cancel);
      case 'gone':
        return this.partyGone(party);
    }
  }

  private partyGone(party: RemoteParty): void {
    this.parties.delete(`${party.relayId}:${party.remoteId}`);
    this.host.router.sessionClosed(party);
  }

  // ------------------------------------------------------------------ receiver here, sender elsewhere

  /**
   * A transfer message from a local connection: true when it was about a mirrored transfer (it
   * went to the origin), false for the relay's own router to handle.
   */
  fromReceiver(session: Session, message: Answer | Credit | FileResult | Cancel): boolean {
    if (message.t === 'credit' || message.t === 'file-result') {
      const found = this.localStreams.get(message.stream);
      if (!found) return false;
      if (found.mirror.receiver !== session) return true; // not theirs to credit: dropped like a late credit
      const { mirror, origin } = found;
      if (message.t === 'credit') {
        this.publish(mirror.origin, { k: 'credit', from: this.relayId, transfer: mirror.id, credit: { ...message, stream: origin } });
      } else {
        this.publish(mirror.origin, { k: 'file-result', from: this.relayId, transfer: mirror.id, result: { ...message, stream: origin } });
        this.releaseStream(mirror, origin);
        if (mirror.streams.size === 0) this.endMirror(mirror);
      }
      return true;
    }
    const mirror = this.mirrors.get(message.transfer);
    if (!mirror) return false;
    if (mirror.receiver !== session) return true;
    if (message.t === 'answer') this.publish(mirror.origin, { k: 'answer', from: this.relayId, transfer: mirror.id, answer: message });
    else {
      this.publish(mirror.origin, { k: 'cancel', from: this.relayId, transfer: mirror.id, cancel: message });
      this.endMirror(mirror);
    }
    return true;
  }

  /** A local connection closed: the origins of its mirrored transfers stop them, resumably. */
  sessionClosed(session: Session): void {
    for (const mirror of [...this.mirrors.values()]) {
      if (mirror.receiver !== session) continue;
      this.publish(mirror.origin, { k: 'gone', from: this.relayId, transfer: mirror.id });
      this.endMirror(mirror);
    }
  }

  private onOffer(note: Extract<TransferNote, { k: 'offer' }>): void {
    const receiver = this.host.session(note.to);
    if (!receiver || note.message.t !== 'offer' || this.mirrors.has(note.transfer)) {
      this.publish(note.from, { k: 'gone', from: this.relayId, transfer: note.transfer });
      return;
    }
    const mirror: Mirror = { id: note.transfer, origin: note.from, senderId: note.sender, receiver, streams: new Map() };
    this.mirrors.set(mirror.id, mirror);
    this.host.local.send(receiver, note.message);
  }

  private onDeliver(note: Extract<TransferNote, { k: 'deliver' }>): void {
    const mirror = this.mirrors.get(note.transfer);
    if (!mirror || mirror.origin !== note.from) return;
    const message = note.message;
    if (message.t === 'answered' && message.accept && message.streams) {
      const streams = message.streams.map((s) => ({ ...s, stream: this.mapStream(mirror, s.stream) }));
      this.host.local.send(mirror.receiver, { ...message, streams });
      return;
    }
    this.host.local.send(mirror.receiver, message);
    if (message.t === 'cancel' || (message.t === 'answered' && !message.accept)) this.endMirror(mirror);
  }

  private onData(from: string, stream: number, flags: number, payload: Buffer): void {
    const found = this.originStreams.get(`${from}:${stream}`);
    if (!found) return; // its transfer ended meanwhile
    const header = encodeHeader(FrameKind.Data, payload.length, found.local, flags);
    this.host.local.sendData(found.mirror.receiver, header, { flags, stream: found.local, length: payload.length, parts: [payload] });
  }

  private mapStream(mirror: Mirror, origin: number): number {
    const local = this.host.router.reserveStream();
    mirror.streams.set(origin, local);
    this.localStreams.set(local, { mirror, origin });
    this.originStreams.set(`${mirror.origin}:${origin}`, { mirror, local });
    return local;
  }

  private releaseStream(mirror: Mirror, origin: number): void {
    const local = mirror.streams.get(origin);
    if (local === undefined) return;
    mirror.streams.delete(origin);
    this.localStreams.delete(local);
    this.originStreams.delete(`${mirror.origin}:${origin}`);
    this.host.router.releaseStream(local);
  }

  private endMirror(mirror: Mirror): void {
    for (const origin of [...mirror.streams.keys()]) this.releaseStream(mirror, origin);
    this.mirrors.delete(mirror.id);
  }

  // ------------------------------------------------------------------ people leaving elsewhere

  /** A connection on another relay left (or its relay died): its transfers stop, resumably. */
  remoteLeft(member: RemoteMember): void {
    const party = this.parties.get(`${member.relayId}:${member.remoteId}`);
    if (party) this.partyGone(party);
    for (const mirror of [...this.mirrors.values()]) {
      if (mirror.origin !== member.relayId || mirror.senderId !== member.remoteId) continue;
      const reason = `${member.name || 'the peer'} disconnected`;
      this.host.local.send(mirror.receiver, { t: 'cancel', transfer: mirror.id, reason, code: 'PEER_GONE', resumable: true });
      this.endMirror(mirror);
    }
  }

  // ------------------------------------------------------------------ the engine

  private onMessage(data: Uint8Array): void {
    const decoded = decodeTransfer(data);
    if (decoded.kind === 'bad') {
      this.host.logger.warn('ignoring a malformed transfer message from another relay', { why: decoded.why });
      return;
    }
    if (decoded.kind === 'data') return this.onData(decoded.origin, decoded.stream, decoded.flags, decoded.payload);
    const note = decoded.note;
    switch (note.k) {
      case 'offer':
        return this.onOffer(note);
      case 'deliver':
        return this.onDeliver(note);
      case 'fail': {
        const session = this.host.session(note.to);
        if (session) this.host.local.fail(session, new TeamMessengerError(knownCode(note.code), note.message));
        return;
      }
      default:
        return this.fromReceiverRelay(note);
    }
  }

  private publish(relay: string, note: TransferNote): void {
    this.publishRaw(relay, encodeNote(note));
  }

  private publishRaw(relay: string, data: Uint8Array): void {
    try {
      this.link.publish(transferSubject(relay), data);
    } catch (err) {
      // The engine link is closing: the other side finds out from presence.
      this.host.logger.debug('cannot publish a transfer message', { relay, error: (err as Error).message });
    }
  }
}

/** The relay's transfer host: its own connections as before; in a cluster, once the bridge is
 *  there, people on the other relays (RemoteParty) through it. */
export function bridgedHost(local: TransferRouterHost, bridge: () => TransferBridge | undefined): TransferRouterHost {
  return {
    ...local,
    send: (party, message) => (party instanceof RemoteParty ? bridge()?.sendTo(party, message) : local.send(party, message)),
    sendData: (party, header, frame) => (party instanceof RemoteParty ? bridge()?.dataTo(party, frame) : local.sendData(party, header, frame)),
    fail: (party, error) => (party instanceof RemoteParty ? bridge()?.failTo(party, error) : local.fail(party, error)),
    receiverFor: (clientId) => local.receiverFor(clientId) ?? bridge()?.receiverElsewhere(clientId),
  };
}
