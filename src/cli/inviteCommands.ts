import { EXTENSION_ID, formatInvite, inviteUri } from '../net/invite';
import { createStreamLogger } from '../net/logger';
import { InviteInfo, InviteLimits } from '../net/protocol/inviteMessages';
import { createClient, inviteOf, withClient } from './clientSetup';
import { parseLogLevel } from './logLevel';
import { clientOptions, parse, parsePositiveInt, UsageError } from './options';
import { safeForTerminal } from './terminalText';

/**
 * `team-messenger invite`, `invites` and `join`: a member makes an invite link for a newcomer,
 * lists or revokes the invites, and a newcomer joins with one (the relay's secret is then kept
 * for later commands, see teamSecrets.ts).
 */

/** `invite`: prints a new invite (plain text and the link VS Code opens). */
export async function inviteCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, { ...clientOptions, uses: { type: 'string' }, expires: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const uses = parsePositiveInt('uses', values.uses, InviteLimits.defaultUses);
  if (uses > InviteLimits.maxUses) throw new UsageError(`--uses is at most ${InviteLimits.maxUses}`);
  const ttlMs = parseDuration(values.expires);
  return withClient(values, env, async (client, server) => {
    const { invite, token } = await client.invites.create({ uses, ttlMs });
    const link = {
      addresses: [server],
      ...(client.relayFingerprint ? { fingerprint: client.relayFingerprint } : {}),
      token,
      expiresAt: invite.expiresAt,
      from: client.name,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify({ type: 'invite', ...invite, invite: formatInvite(link), link: inviteUri(link, 'vscode', EXTENSION_ID) }) + '\n');
    } else {
      process.stdout.write(
        `Invite ${invite.id} for ${uses === 1 ? 'one person' : `${uses} people`}, until ${new Date(invite.expiresAt).toISOString()}:\n\n` +
          `  ${inviteUri(link, 'vscode', EXTENSION_ID)}\n\n` +
          `In VS Code: open the link, or run "Team Messenger: Paste Invite…". On a terminal:\n` +
          `  team-messenger join ${formatInvite(link)} --name NAME\n`,
      );
    }
    return 0;
  });
}

/** `invites`: lists the relay's invites; `invites revoke ID` revokes one of one's own. */
export async function invitesCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, clientOptions);
  const [verb, id, ...extra] = positionals;
  if (extra.length > 0 || (verb !== undefined && verb !== 'revoke') || (verb === 'revoke' && !id)) {
    throw new UsageError('invites takes nothing, or: revoke ID');
  }
  return withClient(values, env, async (client) => {
    const invites = verb === 'revoke' ? await client.invites.revoke(id) : await client.invites.list();
    if (values.json) {
      for (const invite of invites) process.stdout.write(JSON.stringify({ type: 'invite', ...invite }) + '\n');
      return 0;
    }
    if (verb === 'revoke') process.stdout.write(`revoked invite ${id}\n`);
    if (invites.length === 0) process.stdout.write('no invites\n');
    for (const invite of invites) process.stdout.write(safeForTerminal(describe(invite)) + '\n');
    return 0;
  });
}

/** `join LINK`: logs in with an invite once; the team secret it is given is kept for later. */
export async function joinCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, clientOptions);
  if (positionals.length !== 1) throw new UsageError('join takes the invite (a link or its tm1.… text) as its one argument');
  const invite = inviteOf(positionals[0]);
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'error'));
  // Each address the invite lists, in order: the first that answers.
  let lastError: unknown;
  for (const server of values.server ? [values.server] : invite.addresses) {
    const client = createClient({ ...values, server, invite: positionals[0] }, env, logger, false, 5000);
    try {
      await client.connect();
      process.stdout.write(
        safeForTerminal(`joined the team at ${server} as ${client.name}${invite.from ? `, invited by ${invite.from}` : ''}`) +
          `\nfrom now on: team-messenger listen --server ${server} --name ${JSON.stringify(client.name)}\n`,
      );
      return 0;
    } catch (err) {
      lastError = err;
      if ((err as { code?: string }).code !== 'UNREACHABLE') break;
    } finally {
      await client.close();
    }
  }
  throw lastError;
}

function describe(i: InviteInfo): string {
  const state = i.revoked ? 'revoked' : i.used >= i.uses ? 'used' : i.expiresAt <= Date.now() ? 'expired' : 'open';
  return `${i.id}  ${state.padEnd(7)}  used ${i.used}/${i.uses}  until ${new Date(i.expiresAt).toISOString()}  by ${i.createdByName}`;
}

/** `30m`, `12h`, `7d` (default 7 days). */
function parseDuration(value: string | undefined): number {
  if (value === undefined) return InviteLimits.defaultTtlMs;
  const match = /^(\d+)([mhd])$/.exec(value);
  const ms = match ? Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'] : NaN;
  if (!(ms >= InviteLimits.minTtlMs && ms <= InviteLimits.maxTtlMs))
    throw new UsageError('--expires is like 30m, 12h or 7d: at least 1 minute, at most 30 days');
  return ms;
}
