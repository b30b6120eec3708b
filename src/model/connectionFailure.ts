import { ErrorCode } from '../net/protocol/errors';
import type { Event } from './lifecycle';

/**
 * Why this window cannot use its relay, in plain words with the cause: the core says
 * "cannot reach the relay at h:9: ECONNREFUSED"; a person needs "connection refused (nothing
 * listens on that port)". Pure, no VS Code: the status bar, the Peers view and the notification
 * all show these texts (through `inert`: the relay's own words are in some of them).
 */
export interface ConnectionFailure {
  /** The relay, `host:port`. */
  server: string;
  /** The core's code (UNREACHABLE, AUTH_FAILED…), or '' for a local mistake (a bad address). */
  code: string;
  /** For the status bar, after "Team Messenger: ": "can't reach 127.0.0.1:9". */
  summary: string;
  /** The cause alone: "connection refused (nothing listens on that port)". */
  cause: string;
  /** One sentence: "Cannot reach 127.0.0.1:9 — connection refused (nothing listens on that port)". */
  text: string;
}

/** What the views show of the connection besides the client's state (the ConnectionManager has it). */
export interface ConnectionHealth {
  /** Why the relay this window wants cannot be used; cleared when it connects or another is asked for. */
  readonly failure: ConnectionFailure | undefined;
  /** The relay the user left with Disconnect ('' otherwise). */
  readonly disconnectedFrom: string;
  readonly onDidChangeHealth: Event<void>;
}

/** Node's socket error codes, as a person would say them. */
const SOCKET_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port)',
  ENOTFOUND: 'host not found (check the name)',
  EAI_AGAIN: 'host not found (the name could not be looked up: no network or no DNS?)',
  EAI_NONAME: 'host not found (check the name)',
  ETIMEDOUT: 'timed out (no answer: a firewall, or the wrong address?)',
  EHOSTUNREACH: 'no route to that host (is it on this network?)',
  ENETUNREACH: 'the network is unreachable (offline?)',
  ECONNRESET: 'the connection was reset by the other side',
  EPIPE: 'the connection was closed by the other side',
  EADDRNOTAVAIL: 'that address is not available from this machine',
};

/** The words for `error` (a TeamMessengerError or any Error) met while connecting to `server`. */
export function describeFailure(error: { code?: unknown; message: string }, server: string): ConnectionFailure {
  const code = typeof error.code === 'string' ? error.code : '';
  const message = oneLine(error.message);
  const make = (summary: string, lead: string, cause: string): ConnectionFailure => ({ server, code, summary, cause, text: `${lead} — ${cause}` });
  const unreachable = (cause: string) => make(`can't reach ${server}`, `Cannot reach ${server}`, cause);

  switch (code) {
    case ErrorCode.Unreachable:
      return unreachable(unreachableCause(message));
    case ErrorCode.TlsFingerprintMismatch:
      return make(
        `${server}: certificate changed`,
        `Not connected to ${server}`,
        "the relay's certificate changed: it may have a new one, or someone may be intercepting the connection",
      );
    case ErrorCode.TlsUntrusted:
      return make(`${server}: certificate not trusted`, `Not connected to ${server}`, `its certificate is not trusted (${stripPrefix(message)})`);
    case ErrorCode.AuthFailed:
      return make(`${server} refused the login`, `The relay at ${server} refused to let you in`, message);
    case ErrorCode.InviteInvalid:
      return make(`${server} refused the invite`, `The relay at ${server} did not take the invite`, message);
    case ErrorCode.VersionMismatch:
      return make(`${server}: other version`, `Cannot use the relay at ${server}`, message);
    case ErrorCode.HandshakeTimeout:
      return make(`no answer from ${server}`, `No answer from ${server}`, 'the relay did not finish the login in time');
    case ErrorCode.ServerShutdown:
      return make(`${server} shut down`, `The relay at ${server} shut down`, stripPrefix(message));
    case ErrorCode.Replaced:
      return make(`${server}: replaced`, `Left ${server}`, 'another window with your identity took over the connection');
    case ErrorCode.IdleTimeout:
    case ErrorCode.ConnectionLost:
      return make(`lost ${server}`, `Lost the connection to ${server}`, socketCause(message) ?? stripPrefix(message));
    default:
      return make(`can't connect to ${server}`, `Cannot connect to ${server}`, message);
  }
}

/** Why a relay could not be reached, from the core's message (dialer.ts, connectionAttempt.ts). */
function unreachableCause(message: string): string {
  const socket = socketCause(message);
  if (socket) return socket;
  if (/does not speak TLS/.test(message)) return 'it does not speak TLS (a plain relay? then turn on teamMessenger.plainTcp)';
  const waited = /within (\d+) ms/.exec(message);
  const tlsHint = /connect with TLS/.test(message) ? '; it may be a TLS relay: turn off teamMessenger.plainTcp' : '';
  if (waited) return `timed out (no answer within ${Math.round(Number(waited[1]) / 1000)} s${tlsHint})`;
  if (tlsHint) return `it closed the connection without a word${tlsHint}`;
  return stripPrefix(message);
}

function socketCause(message: string): string | undefined {
  const found = /\b(E[A-Z_]{3,})\b/.exec(message);
  return found ? SOCKET_CAUSES[found[1]] : undefined;
}

/** "cannot reach the relay at h:1: X" → "X": the server is said already. */
function stripPrefix(message: string): string {
  return message.replace(/^(cannot reach the relay at \S+|connection to the relay failed|the relay is shutting down):\s*/i, '');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
