import { isChannelMember, TeamClient } from '../net/client/teamClient';
import { ChannelInfo } from '../net/protocol/conversationMessages';
import { channelKey, GENERAL_CHANNEL, normaliseChannelName } from '../net/protocol/conversationKeys';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { InviteLink, parseJoinText } from '../net/invite';
import { clientTls, pinRelay } from './tlsSetup';
import { loadOrCreateIdentity } from '../net/identity';
import { createStreamLogger, Logger } from '../net/logger';
import { Limits, Targets } from '../net/protocol/messages';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { parseLogLevel } from './logLevel';
import { parseServer, readSecret, UsageError } from './options';
import { identityFile } from './paths';
import { saveSecret, savedSecret } from './teamSecrets';

export interface ClientArgs {
  plain?: boolean;
  ca?: string;
  fingerprint?: string;
  server?: string;
  name?: string;
  secret?: string;
  'secret-file'?: string;
  identity?: string;
  invite?: string;
}

/** Builds a TeamClient from the options every client command shares. */
export function createClient(
  values: ClientArgs,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  reconnect: boolean | 'after-first-connect',
  connectTimeoutMs?: number,
): TeamClient {
  const invite = values.invite !== undefined ? inviteOf(values.invite) : undefined;
  // An invite's addresses are one relay's (or a cluster's): each is tried in turn.
  const [{ host, port }, ...alternates] = parseServer(values.server ?? invite?.addresses.join(','), DEFAULT_PORT);
  const server = `${host}:${port}`;
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name NAME is required');
  if (name.length > Limits.nameChars || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new UsageError(`--name must be 1..${Limits.nameChars} characters without control characters`);
  }
  const identity = loadOrCreateIdentity(values.identity ?? identityFile(name, env));
  // An invite brings the relay's fingerprint (pinned: nobody is asked to trust it) and a token
  // that stands in for the secret until the relay hands the secret over.
  const secret = readSecret(values, env) ?? savedSecret(server, env);
  const pinFromInvite = invite?.fingerprint && !values.plain && !values.ca && !values.fingerprint ? { fingerprint: invite.fingerprint } : {};
  const client = new TeamClient({
    host,
    port,
    ...(alternates.length > 0 ? { alternates } : {}),
    name,
    identity,
    secret,
    ...(invite && !secret ? { invite: invite.token } : {}),
    tls: clientTls({ ...values, ...pinFromInvite }, server, env, (line) => process.stderr.write(line + '\n')) ?? false,
    reconnect: reconnect !== false,
    retryFirstConnect: reconnect === true,
    logger,
    backoff: { initialMs: 250, maxMs: 15_000 },
    ...(connectTimeoutMs ? { connectTimeoutMs } : {}),
  });
  client.on('secret', (given) => {
    saveSecret(server, given, env);
    if (invite?.fingerprint) pinRelay(server, invite.fingerprint, env);
  });
  return client;
}

/** The invite in --invite's text; INVITE_INVALID (exit code 4) says what is wrong with it. */
export function inviteOf(text: string): InviteLink {
  const parsed = parseJoinText(text);
  if (parsed.kind !== 'invite') throw new UsageError('--invite: that is an address block, not an invite; use --server and --secret');
  return parsed.invite;
}

/** Names for client ids, from what the client knows of the roster. */
export function nameOf(client: TeamClient, clientId: string): string {
  if (clientId === client.clientId) return client.name;
  for (const peer of client.peers.values()) if (peer.clientId === clientId) return peer.name;
  return client.known.get(clientId)?.name ?? clientId;
}

/** Connects a one-shot client (no reconnect), runs `run` with it, and closes it. */
export async function withClient(
  values: ClientArgs & { 'log-level'?: string },
  env: NodeJS.ProcessEnv,
  run: (client: TeamClient, server: string) => Promise<number>,
): Promise<number> {
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'error'));
  const client = createClient(values, env, logger, false, 10_000);
  try {
    await client.connect();
    return await run(client, values.server ?? '');
  } finally {
    await client.close();
  }
}

/** The channel people mean by `typed` ("deploys", "#deploys"), asking the relay; NOT_FOUND
 *  (exit code 5) when it lets this identity see none of that name. */
export async function findChannel(client: TeamClient, typed: string): Promise<ChannelInfo> {
  await client.conversations.list();
  return knownChannel(client, typed);
}

/** The channel called `typed` among those the client already knows of (from its team state). */
export function knownChannel(client: TeamClient, typed: string): ChannelInfo {
  const channel = client.conversations.channelByName(typed);
  if (!channel) {
    throw new TeamMessengerError(ErrorCode.NotFound, `no channel called #${normaliseChannelName(typed)} (team-messenger channels lists them)`);
  }
  return channel;
}

/** FORBIDDEN (exit code 7) when this identity is not in `channel`: the relay would only say
 *  it knows no such conversation, which would not tell the user what to do. */
export function requireMember(client: TeamClient, channel: ChannelInfo): void {
  if (!isChannelMember(channel, client.clientId)) {
    throw new TeamMessengerError(ErrorCode.Forbidden, `you are not in #${channel.name}: join it first (team-messenger channels join ${channel.name})`);
  }
}

/** Where a message to `channel` goes (#general's messages go to 'all'). */
export function channelTarget(client: TeamClient, channel: ChannelInfo): Targets {
  requireMember(client, channel);
  return channel.id === GENERAL_CHANNEL ? 'all' : channelKey(channel.id);
}
