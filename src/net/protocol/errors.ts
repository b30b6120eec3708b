/**
 * Every failure the core reports carries a stable `code`, so callers (relay, client, CLI, UI)
 * branch on codes and never on message text. Messages are for people.
 */
export const ErrorCode = {
  // Framing: the byte stream itself is wrong. Always closes the connection.
  FrameTooLarge: 'FRAME_TOO_LARGE',
  BadFrameKind: 'BAD_FRAME_KIND',
  BadFrameFlags: 'BAD_FRAME_FLAGS',
  BadJson: 'BAD_JSON',
  BadMessage: 'BAD_MESSAGE',
  UnknownType: 'UNKNOWN_TYPE',
  UnexpectedMessage: 'UNEXPECTED_MESSAGE',
  // Handshake and identity.
  VersionMismatch: 'VERSION_MISMATCH',
  AuthFailed: 'AUTH_FAILED',
  // An invite that is expired, used up, revoked, unknown or damaged.
  InviteInvalid: 'INVITE_INVALID',
  HandshakeTimeout: 'HANDSHAKE_TIMEOUT',
  Replaced: 'REPLACED',
  // Liveness and resources.
  IdleTimeout: 'IDLE_TIMEOUT',
  SlowConsumer: 'SLOW_CONSUMER',
  RateLimited: 'RATE_LIMITED',
  // Its address has as many logged-in connections as the relay allows one address.
  TooManyConnections: 'TOO_MANY_CONNECTIONS',
  // The relay holds as many watch-set entries as it may; some of a watch were not taken.
  WatchLimit: 'WATCH_LIMIT',
  // TLS: the relay's certificate is not the one pinned, or not trusted.
  TlsFingerprintMismatch: 'TLS_FINGERPRINT_MISMATCH',
  TlsUntrusted: 'TLS_UNTRUSTED',
  ServerShutdown: 'SERVER_SHUTDOWN',
  ConnectionLost: 'CONNECTION_LOST',
  Unreachable: 'UNREACHABLE',
  // Routing: answered with an error frame, the connection stays open.
  NoSuchPeer: 'NO_SUCH_PEER',
  // Asked for something only someone else may do (revoke another member's invite).
  Forbidden: 'FORBIDDEN',
  AmbiguousPeer: 'AMBIGUOUS_PEER',
  // No such message, channel or conversation that the asker may see (never says which).
  NotFound: 'NOT_FOUND',
  // A channel name already taken, an archived channel written to, #general left.
  Conflict: 'CONFLICT',
  TooLarge: 'TOO_LARGE',
  // The relay could not store the message (its disk is full): nobody received it.
  NotStored: 'NOT_STORED',
  // The relay cannot reach what stores messages (a cluster's engine) right now: nobody received
  // it; the client keeps it and sends it again a little later.
  Unavailable: 'UNAVAILABLE',
  // File transfer: reported to both sides, the transfer stops.
  Declined: 'DECLINED',
  Cancelled: 'CANCELLED',
  OfferExpired: 'OFFER_EXPIRED',
  ChecksumMismatch: 'CHECKSUM_MISMATCH',
  DiskFull: 'DISK_FULL',
  WriteFailed: 'WRITE_FAILED',
  ReadFailed: 'READ_FAILED',
  // Local.
  Closed: 'CLOSED',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes after which reconnecting with the same settings cannot succeed. */
export const FATAL_FOR_RECONNECT: ReadonlySet<string> = new Set<string>([
  ErrorCode.VersionMismatch,
  ErrorCode.AuthFailed,
  ErrorCode.InviteInvalid,
  ErrorCode.Replaced,
  ErrorCode.TlsFingerprintMismatch,
  ErrorCode.TlsUntrusted,
]);

/** Non-fatal refusals of a message that clear up by themselves: the outbox keeps the message and
 *  sends it again later instead of failing it. */
export const RETRYABLE_SENDS: ReadonlySet<string> = new Set<string>([ErrorCode.Unavailable]);

export class TeamMessengerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TeamMessengerError';
  }
}

/** The peer broke the wire protocol. The connection that produced it is closed. */
export class ProtocolError extends TeamMessengerError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'ProtocolError';
  }
}

export function isTeamMessengerError(err: unknown): err is TeamMessengerError {
  return err instanceof TeamMessengerError;
}

const KNOWN_CODES: readonly string[] = Object.values(ErrorCode);
function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.includes(code);
}
/** A code from the network: a newer peer may send one this build does not know (then INTERNAL). */
export function knownCode(code: string | undefined): ErrorCode {
  return code !== undefined && isErrorCode(code) ? code : ErrorCode.Internal;
}
