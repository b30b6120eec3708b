import { ClientMessage } from '../protocol/messages';

/** What a transfer needs from the connection it runs over (implemented by TeamClient). */
export interface TransferPort {
  isConnected(): boolean;
  sendControl(message: ClientMessage): void;
  /** Queues file bytes (or, with `end`, the file's digest) on a stream; the payload is not copied. */
  sendData(stream: number, payload: Buffer, end: boolean): void;
  /** Resolves when the connection's data queue has room for more. */
  waitForDataRoom(): Promise<void>;
  /** The largest frame payload the relay accepts (its welcome says). */
  maxPayload(): number;
  /** Whether this identity has a connection now (a receiver to re-offer to). */
  isOnline(clientId: string): boolean;
}
