import * as crypto from 'node:crypto';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { DataFrameParts, encodeHeader, FrameFlag, FrameKind } from '../net/protocol/frame';
import { Logger } from '../net/logger';
import { Answer, Cancel, Credit, FileResult, OfferedFile, OfferOut, RelayMessage } from '../net/protocol/messages';
import type { OfferedAttachment } from '../net/protocol/richMessages';
import type { OfferRecord } from './offerRecords';
import { Session } from './session';

/**
 * One side of a transfer: a connection here, or in a cluster a connection on another relay
 * (cluster/transferBridge.ts), which the host reaches through the engine. Compared by identity.
 */
export interface TransferParty {
  readonly clientId: string;
  readonly name: string;
}

/**
 * The relay's part in file transfers: it pairs a sender and a receiver, gives each file a
 * stream, passes the receiver's credit to the sender and the sender's data to the receiver, and
 * never holds more of a file than the receiver has asked for. It never sees a file whole.
 */
export interface TransferRouterHost {
  send(party: TransferParty, message: RelayMessage): void;
  /** Queues a data frame (a new header, the payload's pieces uncopied) for a party. */
  sendData(party: TransferParty, header: Buffer, frame: DataFrameParts): void;
  /** Closes a connection that broke the transfer rules. */
  fail(party: TransferParty, error: TeamMessengerError): void;
  /** The connection an identity receives offers on (its newest; here first), if online. */
  receiverFor(clientId: string): TransferParty | undefined;
  /** Records an offer as a message in the conversation (offerRecords.ts): its id now, stored
   *  by `store()` once the offer is on its way; in a cluster, its id once stored. */
  record?(sender: Session, to: string, key: string, files: readonly OfferedFile[]): OfferRecord;
  /** Why an offer that answers a file request may not go to `to` (fileRequests.ts), if so. */
  attachmentRefusal?(sender: Session, to: string, offered: OfferedAttachment): string | undefined;
  logger: Logger;
}

export interface TransferLimits {
  /** How long an offer may wait for an answer. */
  offerTimeoutMs: number;
  /** Most credit a stream may have outstanding: bounds what the relay can be asked to hold. */
  maxWindowBytes: number;
  /** Offers plus transfers one connection may have open at once. */
  maxTransfersPerSession: number;
}

interface RelayTransfer {
  id: string;
  key: string;
  sender: Session;
  receiver: TransferParty;
  files: OfferedFile[];
  state: 'offered' | 'active';
  expiry: NodeJS.Timeout | undefined;
  streams: Set<number>;
}

interface RelayStream {
  id: number;
  transfer: RelayTransfer;
  /** Bytes the sender may still send before more credit. */
  credit: number;
  /** Credit the receiver granted beyond the relay's window: passed on as data drains it. */
  held: number;
  ended: boolean;
}

const DIGEST_BYTES = 32;

export class TransferRouter {
  private readonly transfers = new Map<string, RelayTransfer>();
  private readonly streams = new Map<number, RelayStream>();
  private readonly bySession = new Map<TransferParty, Set<RelayTransfer>>();
  /** Stream ids a cluster's bridge numbers other relays' streams with here: never allocated. */
  private readonly reserved = new Set<number>();
  private nextStream = 1;

  constructor(
    private readonly host: TransferRouterHost,
    private readonly limits: TransferLimits,
  ) {}

  get activeTransfers(): number {
    return this.transfers.size;
  }

  offer(sender: Session, offer: OfferOut): void {
    const refused = offer.attachment && this.host.attachmentRefusal?.(sender, offer.to, offer.attachment);
    if (refused) {
      this.host.send(sender, { t: 'error', code: ErrorCode.NotFound, message: refused, ref: offer.ref, fatal: false });
      return;
    }
    const receiver = this.host.receiverFor(offer.to);
    if (!receiver) {
      this.host.send(sender, { t: 'error', code: ErrorCode.NoSuchPeer, message: 'that peer is not online to receive files', ref: offer.ref, fatal: false });
      return;
    }
    if (receiver === sender) {
      this.host.send(sender, { t: 'error', code: ErrorCode.NoSuchPeer, message: 'cannot send files to this same connection', ref: offer.ref, fatal: false });
      return;
    }
    if (this.countFor(sender) >= this.limits.maxTransfersPerSession || this.countFor(receiver) >= this.limits.maxTransfersPerSession) {
      this.host.send(sender, { t: 'error', code: ErrorCode.TooLarge, message: 'too many file transfers are open at once', ref: offer.ref, fatal: false });
      return;
    }
    const id = crypto.randomBytes(12).toString('base64url');
    const expiresAt = Date.now() + this.limits.offerTimeoutMs;
    const transfer: RelayTransfer = { id, key: offer.key, sender, receiver, files: offer.files, state: 'offered', expiry: undefined, streams: new Set() };
    transfer.expiry = setTimeout(() => this.expire(transfer), this.limits.offerTimeoutMs);
    transfer.expiry.unref();
    this.add(transfer);
    // An answer to a file-request is about a message that exists already: not recorded again.
    const record = offer.attachment ? undefined : this.host.record?.(sender, offer.to, offer.key, offer.files);
    if (record && 'stored' in record) {
      // In a cluster the record's id comes from the stream: the offer waits for it (the sender
      // leaving meanwhile takes the transfer away).
      void record.stored.then((message) => this.transfers.get(id) === transfer && this.tellOffer(transfer, offer, expiresAt, message));
      return;
    }
    this.tellOffer(transfer, offer, expiresAt, record?.id);
    record?.store();
  }

  /** The offer to the receiver, its id to the sender: `message` is the offer's record, if any. */
  private tellOffer(transfer: RelayTransfer, offer: OfferOut, expiresAt: number, message: string | undefined): void {
    const { id, sender, receiver } = transfer;
    const recorded = message !== undefined ? { message } : {};
    this.host.send(receiver, {
      t: 'offer',
      transfer: id,
      from: sender.clientId,
      fromName: sender.name,
      key: offer.key,
      files: offer.files,
      expiresAt,
      ...(offer.attachment ? { attachment: offer.attachment } : {}),
      ...recorded,
    });
    this.host.send(sender, { t: 'offer-sent', ref: offer.ref, transfer: id, expiresAt, ...recorded });
    this.host.logger.info('file offer', {
      transfer: id,
      from: sender.name,
      to: receiver.name,
      files: offer.files.length,
      bytes: offer.files.reduce((n, f) => n + f.size, 0),
    });
  }

  answer(session: TransferParty, answer: Answer): void {
    const transfer = this.transfers.get(answer.transfer);
    if (!transfer || transfer.receiver !== session || transfer.state !== 'offered') {
      this.host.send(session, { t: 'error', code: ErrorCode.UnexpectedMessage, message: 'no such file offer waiting for an answer', fatal: false });
      return;
    }
    clearTimeout(transfer.expiry);
    transfer.expiry = undefined;
    if (!answer.accept) {
      const reason = answer.reason ?? 'declined';
      this.host.send(transfer.sender, { t: 'answered', transfer: transfer.id, accept: false, reason });
      this.remove(transfer);
      return;
    }
    const offsets = answer.offsets ?? [];
    if (offsets.length > transfer.files.length || offsets.some((o, i) => o > transfer.files[i].size)) {
      this.host.fail(session, new TeamMessengerError(ErrorCode.BadMessage, 'resume offsets do not match the offered files'));
      return;
    }
    transfer.state = 'active';
    const streams = transfer.files.map((_, index) => {
      const id = this.allocateStream();
      this.streams.set(id, { id, transfer, credit: 0, held: 0, ended: false });
      transfer.streams.add(id);
      return { index, stream: id, offset: offsets[index] ?? 0 };
    });
    const answered: RelayMessage = { t: 'answered', transfer: transfer.id, accept: true, streams };
    this.host.send(transfer.sender, answered);
    this.host.send(transfer.receiver, answered);
  }

  credit(session: TransferParty, credit: Credit): void {
    const stream = this.streams.get(credit.stream);
    if (!stream || stream.transfer.receiver !== session || stream.ended) return; // late credit for a finished stream
    // Hold back what exceeds the relay's window instead of dropping it: the receiver counts it
    // as granted and would otherwise wait for data that never comes.
    stream.held = Math.min(stream.held + credit.bytes, Number.MAX_SAFE_INTEGER);
    this.release(stream);
  }

  private release(stream: RelayStream): void {
    const granted = Math.min(this.limits.maxWindowBytes - stream.credit, stream.held);
    if (granted <= 0) return;
    stream.held -= granted;
    stream.credit += granted;
    this.host.send(stream.transfer.sender, { t: 'credit', stream: stream.id, bytes: granted });
  }

  data(session: Session, frame: DataFrameParts): void {
    const stream = this.streams.get(frame.stream);
    if (!stream || stream.transfer.sender !== session) {
      if (!this.everOpened(frame.stream)) {
        this.host.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, `data on stream ${frame.stream}, which was never opened`));
      }
      // Otherwise: data still in flight when its transfer ended. Dropped; it costs nothing.
      return;
    }
    if (stream.ended) {
      this.host.fail(session, new TeamMessengerError(ErrorCode.UnexpectedMessage, `data after the end of stream ${frame.stream}`));
      return;
    }
    if (frame.flags & FrameFlag.End) {
      if (frame.length !== DIGEST_BYTES) {
        this.host.fail(session, new TeamMessengerError(ErrorCode.BadMessage, 'the last frame of a file must carry its 32-byte SHA-256'));
        return;
      }
      stream.ended = true;
    } else if (frame.length > stream.credit) {
      this.host.fail(
        session,
        new TeamMessengerError(ErrorCode.TooLarge, `sent ${frame.length} bytes on stream ${frame.stream} with ${stream.credit} bytes of credit`),
      );
      return;
    } else {
      stream.credit -= frame.length;
      if (stream.held > 0 && stream.credit <= this.limits.maxWindowBytes / 2) this.release(stream);
    }
    this.host.sendData(stream.transfer.receiver, encodeHeader(FrameKind.Data, frame.length, frame.stream, frame.flags), frame);
  }

  fileResult(session: TransferParty, result: FileResult): void {
    const stream = this.streams.get(result.stream);
    if (!stream || stream.transfer.receiver !== session) return;
    const transfer = stream.transfer;
    this.host.send(transfer.sender, result);
    this.streams.delete(stream.id);
    transfer.streams.delete(stream.id);
    if (transfer.streams.size === 0) this.remove(transfer);
  }

  cancel(session: TransferParty, cancel: Cancel): void {
    const transfer = this.transfers.get(cancel.transfer);
    if (!transfer || (transfer.sender !== session && transfer.receiver !== session)) return; // already over
    const other = transfer.sender === session ? transfer.receiver : transfer.sender;
    this.host.send(other, { t: 'cancel', transfer: transfer.id, reason: cancel.reason, code: cancel.code ?? 'CANCELLED' });
    this.remove(transfer);
  }

  /** A connection closed: every transfer it was part of stops, resumable by a re-offer. */
  sessionClosed(session: TransferParty): void {
    for (const transfer of [...(this.bySession.get(session) ?? [])]) {
      const other = transfer.sender === session ? transfer.receiver : transfer.sender;
      this.host.send(other, { t: 'cancel', transfer: transfer.id, reason: `${session.name || 'the peer'} disconnected`, code: 'PEER_GONE', resumable: true });
      this.remove(transfer);
    }
    this.bySession.delete(session);
  }

  stop(): void {
    for (const transfer of [...this.transfers.values()]) this.remove(transfer);
  }

  private expire(transfer: RelayTransfer): void {
    if (transfer.state !== 'offered' || !this.transfers.has(transfer.id)) return;
    const message: RelayMessage = { t: 'cancel', transfer: transfer.id, reason: 'the offer was not answered in time', code: 'OFFER_EXPIRED' };
    this.host.send(transfer.sender, message);
    this.host.send(transfer.receiver, message);
    this.remove(transfer);
  }

  private add(transfer: RelayTransfer): void {
    this.transfers.set(transfer.id, transfer);
    for (const s of [transfer.sender, transfer.receiver]) {
      let set = this.bySession.get(s);
      if (!set) this.bySession.set(s, (set = new Set()));
      set.add(transfer);
    }
  }

  private remove(transfer: RelayTransfer): void {
    clearTimeout(transfer.expiry);
    this.transfers.delete(transfer.id);
    for (const id of transfer.streams) this.streams.delete(id);
    transfer.streams.clear();
    this.bySession.get(transfer.sender)?.delete(transfer);
    this.bySession.get(transfer.receiver)?.delete(transfer);
  }

  /** A stream id for the bridge to give a stream of another relay's transfer, until released. */
  reserveStream(): number {
    const id = this.allocateStream();
    this.reserved.add(id);
    return id;
  }

  releaseStream(id: number): void {
    this.reserved.delete(id);
  }

  /** The receiving party of a transfer this router runs, by the transfer's id. */
  receiverOf(transferId: string): TransferParty | undefined {
    return this.transfers.get(transferId)?.receiver;
  }

  /** The sending connection of a transfer this router runs, by the transfer's id. */
  senderOf(transferId: string): Session | undefined {
    return this.transfers.get(transferId)?.sender;
  }

  private countFor(session: TransferParty): number {
    return this.bySession.get(session)?.size ?? 0;
  }

  private wrapped = false;

  private everOpened(stream: number): boolean {
    return stream !== 0 && (this.wrapped || stream < this.nextStream);
  }

  private allocateStream(): number {
    // Stream ids are relay-wide and never 0; after 2^32 they wrap, skipping any still open.
    for (;;) {
      const id = this.nextStream;
      if (this.nextStream >= 0xffffffff) {
        this.nextStream = 1;
        this.wrapped = true;
      } else {
        this.nextStream++;
      }
      if (!this.streams.has(id) && !this.reserved.has(id)) return id;
    }
  }
}
