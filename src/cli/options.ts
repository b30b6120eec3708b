import * as fs from 'node:fs';
import { parseArgs, ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { parseHostPorts } from '../net/address';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, auth: 4, notFound: 5, declined: 6, refused: 7 } as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (!(err instanceof TeamMessengerError)) return EXIT.failed;
  switch (err.code) {
    case ErrorCode.Unreachable:
    case ErrorCode.ConnectionLost:
    case ErrorCode.HandshakeTimeout:
    case ErrorCode.ServerShutdown:
    case ErrorCode.IdleTimeout:
      return EXIT.unreachable;
    case ErrorCode.AuthFailed:
    case ErrorCode.InviteInvalid:
    case ErrorCode.VersionMismatch:
    case ErrorCode.TlsFingerprintMismatch:
    case ErrorCode.TlsUntrusted:
      return EXIT.auth;
    case ErrorCode.NoSuchPeer:
    case ErrorCode.AmbiguousPeer:
    case ErrorCode.NotFound:
      return EXIT.notFound;
    case ErrorCode.Forbidden:
    case ErrorCode.Conflict:
      return EXIT.refused;
    case ErrorCode.Declined:
    case ErrorCode.Cancelled:
    case ErrorCode.OfferExpired:
      return EXIT.declined;
    default:
      return EXIT.failed;
  }
}

export function parse<const O extends OptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args: attachDashValues(args, options), options, allowPositionals: true as const, strict: true as const });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `--thread -Ab3-12` as `--thread=-Ab3-12`: parseArgs refuses a value that starts with a dash, and
 * message ids, invite ids and secrets from older relays may. A known option is never taken as a value.
 */
function attachDashValues(args: string[], options: OptionsConfig): string[] {
  const isOption = (arg: string) => {
    if (arg.startsWith('--')) return Object.hasOwn(options, arg.slice(2).split('=')[0]);
    return Object.values(options).some((o) => o.short !== undefined && arg === `-${o.short}`);
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return out.concat(args.slice(i));
    const next = args[i + 1];
    const takesValue = arg.startsWith('--') && Object.hasOwn(options, arg.slice(2)) && options[arg.slice(2)].type === 'string';
    if (takesValue && next !== undefined && next.length > 1 && next.startsWith('-') && !isOption(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** `--server HOST:PORT` or, for the relays of a cluster, `--server HOST:PORT,HOST2:PORT2` (tried in turn). */
export function parseServer(value: string | undefined, defaultPort: number): { host: string; port: number }[] {
  if (!value) throw new UsageError('--server HOST:PORT is required');
  try {
    return parseHostPorts(value, defaultPort);
  } catch (err) {
    throw new UsageError(`--server: ${(err as Error).message}`);
  }
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port ${JSON.stringify(value)} is not 0..65535`);
  return port;
}

export function parsePositiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n <= 0) throw new UsageError(`--${name} must be a positive whole number`);
  return n;
}

/** The secret from --secret, --secret-file or TEAM_MESSENGER_SECRET, in that order. */
export function readSecret(values: { secret?: string; 'secret-file'?: string }, env: NodeJS.ProcessEnv): string | undefined {
  if (values.secret !== undefined && values['secret-file'] !== undefined) throw new UsageError('give --secret or --secret-file, not both');
  if (values.secret !== undefined) {
    if (values.secret.length === 0) throw new UsageError('--secret is empty');
    return values.secret;
  }
  if (values['secret-file'] !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(values['secret-file'], 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --secret-file: ${(err as Error).message}`);
    }
    const secret = text.trim();
    if (!secret) throw new UsageError(`--secret-file ${values['secret-file']} is empty`);
    return secret;
  }
  return env.TEAM_MESSENGER_SECRET || undefined;
}

export const clientOptions = {
  server: { type: 'string' },
  name: { type: 'string' },
  secret: { type: 'string' },
  'secret-file': { type: 'string' },
  identity: { type: 'string' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  plain: { type: 'boolean' },
  ca: { type: 'string' },
  fingerprint: { type: 'string' },
  invite: { type: 'string' },
} as const;
