import { TeamClient } from '../net/client/teamClient';
import { clientTls } from './tlsSetup';
import { loadOrCreateIdentity } from '../net/identity';
import { Logger } from '../net/logger';
import { Limits } from '../net/protocol/messages';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { parseServer, readSecret, UsageError } from './options';
import { identityFile } from './paths';

export interface ClientArgs {
  plain?: boolean;
  ca?: string;
  fingerprint?: string;
  server?: string;
  name?: string;
  secret?: string;
  'secret-file'?: string;
  identity?: string;
}

/** Builds a TeamClient from the options every client command shares. */
export function createClient(
  values: ClientArgs,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  reconnect: boolean | 'after-first-connect',
  connectTimeoutMs?: number,
): TeamClient {
  const { host, port } = parseServer(values.server, DEFAULT_PORT);
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name NAME is required');
  if (name.length > Limits.nameChars || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new UsageError(`--name must be 1..${Limits.nameChars} characters without control characters`);
  }
  const identity = loadOrCreateIdentity(values.identity ?? identityFile(name, env));
  return new TeamClient({
    host,
    port,
    name,
    identity,
    secret: readSecret(values, env),
    tls: clientTls(values, `${host}:${port}`, env, (line) => process.stderr.write(line + '\n')) ?? false,
    reconnect: reconnect !== false,
    retryFirstConnect: reconnect === true,
    logger,
    backoff: { initialMs: 250, maxMs: 15_000 },
    ...(connectTimeoutMs ? { connectTimeoutMs } : {}),
  });
}

/** Names for client ids, from what the client knows of the roster. */
export function nameOf(client: TeamClient, clientId: string): string {
  if (clientId === client.clientId) return client.name;
  for (const peer of client.peers.values()) if (peer.clientId === clientId) return peer.name;
  return client.known.get(clientId)?.name ?? clientId;
}
