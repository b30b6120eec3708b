import * as crypto from 'node:crypto';
import { z } from 'zod';
import { ErrorCode, TeamMessengerError } from './protocol/errors';
import { InviteToken } from './protocol/inviteMessages';

/**
 * What a teammate is given to join, as text that survives chat apps and e-mail: an invite
 * (`tm1.<payload>.<check>`: the relay's addresses, its certificate fingerprint, a token the relay
 * issued and when it expires), optionally wrapped in a `vscode://…/join?invite=` link; or the
 * older address block (address, team secret, fingerprint). Whatever the app copies for a
 * teammate parses here as it is, surrounding words included.
 */

export interface InviteLink {
  /** `host:port` addresses to try, in order. */
  addresses: string[];
  /** The relay's certificate SHA-256 fingerprint (`AB:CD:…`): pinned, so nobody is asked to trust it. */
  fingerprint?: string;
  token: string;
  expiresAt: number;
  /** Who invited, for the newcomer to see. */
  from?: string;
}

export type JoinText = { kind: 'invite'; invite: InviteLink } | { kind: 'address'; server: string; secret?: string; fingerprint?: string };

const PREFIX = 'tm1.';
/** The VS Code extension's id (publisher.name in package.json): its links are `vscode://<id>/join`. */
export const EXTENSION_ID = 'team-messenger.team-messenger';
const FINGERPRINT = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;
const address = z
  .string()
  .max(300)
  .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/, 'not host:port');
const Payload = z.object({
  v: z.literal(1),
  a: z.array(address).min(1).max(8),
  f: z.string().regex(FINGERPRINT).optional(),
  t: InviteToken,
  x: z.number().int().positive(),
  w: z.string().max(200).optional(),
});

/** The invite as text: `tm1.<payload>.<check>`. */
export function formatInvite(invite: InviteLink): string {
  const payload: z.infer<typeof Payload> = {
    v: 1,
    a: invite.addresses,
    ...(invite.fingerprint ? { f: invite.fingerprint } : {}),
    t: invite.token,
    x: invite.expiresAt,
    ...(invite.from ? { w: invite.from } : {}),
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${PREFIX}${body}.${check(body)}`;
}

/** The invite as a link VS Code opens with this extension (`scheme` is vscode.env.uriScheme). */
export function inviteUri(invite: InviteLink, scheme: string, extensionId: string): string {
  return `${scheme}://${extensionId}/join?invite=${formatInvite(invite)}`;
}

/** The address block the local relay's notification copies. */
export function formatAddressBlock(server: string, secret: string, fingerprint: string): string {
  return `Team Messenger relay: ${server}\nTeam secret: ${secret}\nCertificate fingerprint (SHA-256): ${fingerprint}`;
}

/**
 * An invite or an address block found in `text` (a link, the bare invite, a pasted message around
 * it). Throws INVITE_INVALID saying what is wrong: damaged, expired, or nothing to join with.
 */
export function parseJoinText(text: string, now = Date.now()): JoinText {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not URI-encoded: taken as it is.
  }
  const found = /tm1\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]*))?/.exec(decoded);
  if (found) return { kind: 'invite', invite: parseInvite(found[1], found[2], now) };
  const server = /Team Messenger relay:\s*(\S+)/i.exec(decoded)?.[1];
  if (server && address.safeParse(server).success) {
    const secret = /Team secret:\s*(\S+)/i.exec(decoded)?.[1];
    const fingerprint = /fingerprint[^:]*:\s*((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})/i.exec(decoded)?.[1]?.toUpperCase();
    return { kind: 'address', server, ...(secret ? { secret } : {}), ...(fingerprint ? { fingerprint } : {}) };
  }
  throw invalid('there is no Team Messenger invite in this text (it starts with "tm1.")');
}

function parseInvite(body: string, sum: string | undefined, now: number): InviteLink {
  if (sum === undefined || sum !== check(body)) throw invalid('this invite is damaged or incomplete (copy the whole link again)');
  let payload: z.infer<typeof Payload>;
  try {
    payload = Payload.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw invalid('this invite is not one this version of Team Messenger understands');
  }
  if (payload.x <= now) throw invalid(`this invite expired on ${new Date(payload.x).toISOString()}; ask for a new one`);
  return {
    addresses: payload.a,
    ...(payload.f ? { fingerprint: payload.f } : {}),
    token: payload.t,
    expiresAt: payload.x,
    ...(payload.w ? { from: payload.w } : {}),
  };
}

/** Eight characters of the payload's SHA-256: a damaged copy is told apart from a changed relay. */
function check(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url').slice(0, 8);
}

function invalid(message: string): TeamMessengerError {
  return new TeamMessengerError(ErrorCode.InviteInvalid, message);
}
