import { TeamMessengerError } from '../protocol/errors';
import { Frame, FrameFlag } from '../protocol/frame';
import { RelayMessage } from '../protocol/messages';
import { IncomingTransfer } from './incomingTransfer';
import { LocalFile } from './localFiles';
import { OutgoingOptions, OutgoingTransfer } from './outgoingTransfer';
import { TransferPort } from './transferPort';

export type TransferMessage = Extract<RelayMessage, { t: 'offer' | 'offer-sent' | 'answered' | 'credit' | 'file-result' | 'cancel' }>;

export function isTransferMessage(message: RelayMessage): message is TransferMessage {
  return (
    message.t === 'offer' ||
    message.t === 'offer-sent' ||
    message.t === 'answered' ||
    message.t === 'credit' ||
    message.t === 'file-result' ||
    message.t === 'cancel'
  );
}

/**
 * A client's transfers in both directions: routes the relay's transfer messages and data
 * frames to the transfer they belong to, and tells every transfer when the connection or a
 * peer comes and goes so interrupted ones can resume.
 */
export class TransferManager {
  private readonly outgoing = new Set<OutgoingTransfer>();
  private readonly incoming = new Set<IncomingTransfer>();
  /** Data streams to the incoming transfer receiving them, credit streams to the sender. */
  private readonly receiving = new Map<number, IncomingTransfer>();
  private readonly sending = new Map<number, OutgoingTransfer>();
  /** Offers cancelled before the relay confirmed them (by ref): cancelled as soon as it does. */
  private readonly cancelledOffers = new Set<string>();

  constructor(
    private readonly port: TransferPort,
    /** Hands a new offer to the application; returns false if nobody takes offers. */
    private readonly announce: (transfer: IncomingTransfer) => boolean,
    private readonly resumeWindowMs?: number,
  ) {}

  get active(): { outgoing: OutgoingTransfer[]; incoming: IncomingTransfer[] } {
    return { outgoing: [...this.outgoing], incoming: [...this.incoming] };
  }

  send(to: string, files: LocalFile[], options?: OutgoingOptions): OutgoingTransfer {
    const transfer = new OutgoingTransfer(this.port, to, files, options);
    this.outgoing.add(transfer);
    transfer.on('state', () => {
      if (transfer.finished) this.forget(transfer);
    });
    if (this.port.isConnected() && this.port.isOnline(to)) transfer.offer();
    else transfer.onDisconnected(); // waits, like an interrupted transfer, for both sides to be here
    return transfer;
  }

  handle(message: TransferMessage): void {
    switch (message.t) {
      case 'offer': {
        const resumed = [...this.incoming].find((t) => t.matches(message));
        if (resumed) {
          void resumed.resume(message);
          return;
        }
        const transfer = new IncomingTransfer(this.port, message, this.resumeWindowMs);
        this.incoming.add(transfer);
        transfer.on('state', () => {
          if (transfer.finished) this.forget(transfer);
        });
        if (!this.announce(transfer)) transfer.decline('this client does not accept files');
        return;
      }
      case 'offer-sent':
        if (this.cancelledOffers.delete(message.ref)) {
          this.port.sendControl({ t: 'cancel', transfer: message.transfer, reason: 'cancelled by the sender', code: 'CANCELLED' });
          return;
        }
        for (const t of this.outgoing) if (t.offerRef === message.ref) t.onOfferSent(message.transfer, message.message);
        return;
      case 'answered': {
        const out = this.outgoingById(message.transfer);
        if (out) {
          for (const s of message.streams ?? []) this.sending.set(s.stream, out);
          out.onAnswered(message);
          return;
        }
        const inc = this.incomingById(message.transfer);
        if (inc) {
          for (const s of message.streams ?? []) this.receiving.set(s.stream, inc);
          inc.onAnswered(message);
        }
        return;
      }
      case 'credit':
        this.sending.get(message.stream)?.onCredit(message.stream, message.bytes);
        return;
      case 'file-result':
        this.sending.get(message.stream)?.onFileResult(message);
        return;
      case 'cancel':
        this.outgoingById(message.transfer)?.onCancel(message);
        this.incomingById(message.transfer)?.onCancel(message);
        return;
    }
  }

  onData(frame: Frame): void {
    this.receiving.get(frame.stream)?.onData(frame.stream, frame.payload, (frame.flags & FrameFlag.End) !== 0);
  }

  /** The relay refused a request; true if it was one of our offers. */
  onRelayError(ref: string, error: TeamMessengerError): boolean {
    for (const t of this.outgoing) {
      if (t.offerRef === ref) {
        t.onOfferRejected(error);
        return true;
      }
    }
    return false;
  }

  onDisconnected(): void {
    // The relay drops a closed connection's offers by itself.
    this.cancelledOffers.clear();
    this.receiving.clear();
    this.sending.clear();
    for (const t of this.outgoing) t.onDisconnected();
    for (const t of this.incoming) t.onDisconnected();
  }

  /** Connected again, or a peer joined: interrupted outgoing transfers offer again. */
  onReachable(): void {
    for (const t of this.outgoing) t.onReachable();
  }

  cancelAll(reason: string): void {
    for (const t of this.outgoing) t.cancel(reason);
    for (const t of this.incoming) t.cancel(reason);
  }

  private outgoingById(id: string): OutgoingTransfer | undefined {
    for (const t of this.outgoing) if (t.transferId === id) return t;
    return undefined;
  }

  private incomingById(id: string): IncomingTransfer | undefined {
    for (const t of this.incoming) if (t.id === id) return t;
    return undefined;
  }

  private forget(transfer: OutgoingTransfer | IncomingTransfer): void {
    if (transfer instanceof OutgoingTransfer) {
      if (transfer.state === 'cancelled' && transfer.transferId === undefined && transfer.offerRef && this.port.isConnected()) {
        this.cancelledOffers.add(transfer.offerRef);
        if (this.cancelledOffers.size > 256) this.cancelledOffers.delete(this.cancelledOffers.values().next().value!);
      }
      this.outgoing.delete(transfer);
      for (const [stream, t] of this.sending) if (t === transfer) this.sending.delete(stream);
    } else {
      this.incoming.delete(transfer);
      for (const [stream, t] of this.receiving) if (t === transfer) this.receiving.delete(stream);
    }
  }
}
