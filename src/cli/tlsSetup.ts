import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ClientTlsOptions, sameFingerprint } from '../net/client/teamClient';
import { Logger } from '../net/logger';
import { createCertificate, fingerprintOf } from '../server/certificate';
import { writeFileAtomic } from '../net/atomicFile';
import { UsageError } from './options';
import { homeDir } from './paths';

/**
 * TLS for the command line. The relay uses a configured certificate, or one it makes on first
 * start and keeps; clients pin the relay's fingerprint the first time (like ssh's known_hosts)
 * and refuse a different one later. Plain TCP only with an explicit --plain.
 */
export const tlsOptions = {
  plain: { type: 'boolean' },
  ca: { type: 'string' },
  fingerprint: { type: 'string' },
} as const;

export interface RelayTls {
  certPem: string;
  keyPem: string;
  fingerprint: string;
  generated: boolean;
}

export function relayTls(values: { plain?: boolean; cert?: string; key?: string }, env: NodeJS.ProcessEnv, logger: Logger): RelayTls | undefined {
  if (values.plain) {
    if (values.cert || values.key) throw new UsageError('--plain and a certificate contradict each other');
    return undefined;
  }
  if (values.cert || values.key) {
    if (!values.cert || !values.key) throw new UsageError('give both --cert and --key');
    const certPem = readOrUsage(values.cert, '--cert');
    const keyPem = readOrUsage(values.key, '--key');
    return { certPem, keyPem, fingerprint: fingerprintOrUsage(certPem, values.cert), generated: false };
  }
  const dir = path.join(homeDir(env), 'relay-tls');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const certPem = fs.readFileSync(certFile, 'utf8');
    return { certPem, keyPem: fs.readFileSync(keyFile, 'utf8'), fingerprint: fingerprintOrUsage(certPem, certFile), generated: false };
  }
  const made = createCertificate({ commonName: 'Team Messenger relay', altNames: ['localhost', '127.0.0.1'] });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, made.keyPem, { mode: 0o600 });
  fs.writeFileSync(certFile, made.certPem, { mode: 0o644 });
  logger.info('generated a TLS certificate for this relay', { file: certFile });
  return { certPem: made.certPem, keyPem: made.keyPem, fingerprint: made.fingerprint256, generated: true };
}

const KnownRelays = z.record(z.string(), z.string());

/** Client TLS settings from --plain / --ca / --fingerprint, with pins kept in known-relays.json. */
export function clientTls(
  values: { plain?: boolean; ca?: string; fingerprint?: string },
  server: string,
  env: NodeJS.ProcessEnv,
  notice: (line: string) => void,
): ClientTlsOptions | undefined {
  if (values.plain) {
    if (values.ca || values.fingerprint) throw new UsageError('--plain contradicts --ca and --fingerprint');
    return undefined;
  }
  if (values.ca) return { ca: readOrUsage(values.ca, '--ca') };
  if (values.fingerprint) {
    if (!/^([0-9a-f]{2}:?){32}$/i.test(values.fingerprint)) throw new UsageError('--fingerprint is a SHA-256 fingerprint (64 hex digits, colons allowed)');
    return { fingerprint: values.fingerprint };
  }
  const file = path.join(homeDir(env), 'known-relays.json');
  const known = readKnown(file);
  const pinned = known[server];
  return {
    ...(pinned ? { fingerprint: pinned } : {}),
    // A command line cannot ask: trust on first use, say so, and remember it.
    trustOnFirstUse: (fingerprint) => {
      notice(`team-messenger: trusting ${server} on first use; its certificate fingerprint is ${fingerprint} (pinned in ${file})`);
      return true;
    },
    onPinned: (fingerprint) => pinRelay(server, fingerprint, env),
  };
}

/** Remembers `fingerprint` for `server` in known-relays.json (an invite brings it, or first use). */
export function pinRelay(server: string, fingerprint: string, env: NodeJS.ProcessEnv): void {
  const file = path.join(homeDir(env), 'known-relays.json');
  const current = readKnown(file);
  if (current[server] && sameFingerprint(current[server], fingerprint)) return;
  current[server] = fingerprint;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, JSON.stringify(current, null, 2) + '\n');
}

function readKnown(file: string): Record<string, string> {
  try {
    const parsed = KnownRelays.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function readOrUsage(file: string, option: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${option} ${file}: ${(err as Error).message}`);
  }
}

function fingerprintOrUsage(certPem: string, file: string): string {
  try {
    return fingerprintOf(certPem);
  } catch {
    throw new UsageError(`${file} is not a PEM certificate`);
  }
}
