import { EXTENSION_ID, formatInvite, InviteLink, inviteUri } from '../net/invite';
import { InviteLimits } from '../net/protocol/inviteMessages';

/**
 * What an invite made in VS Code says, and where it points: pure functions, so the unit tests
 * check the clipboard text (the link, the bare `tm1.` text, never the team secret) without VS Code.
 */

/** The kinds of invite Invite Teammate… offers, the first being the default. */
export interface InviteKind {
  uses: number;
  ttlMs: number;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

export const ONE_PERSON_WEEK: InviteKind = { uses: 1, ttlMs: 7 * DAY_MS };
export const TEN_PEOPLE_DAY: InviteKind = { uses: 10, ttlMs: DAY_MS };

/**
 * Where teammates reach the relay this window is connected to: the hosting LAN addresses (in
 * their order) when it is this window's own relay, else the address this window connected to.
 */
export function inviteAddresses(server: string, hosting: { port: number; addresses: string[] } | undefined): string[] {
  const ownRelay = hosting !== undefined && isLoopback(server) && server.endsWith(`:${hosting.port}`);
  if (ownRelay && hosting.addresses.length > 0) return hosting.addresses.slice(0, 8);
  return [server];
}

function isLoopback(server: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/i.test(server);
}

/** A SHA-256 fingerprint as invites carry it (`AB:CD:…`), or undefined when it is not one. */
export function inviteFingerprint(fingerprint: string | undefined): string | undefined {
  const hex = (fingerprint ?? '').replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length !== 64) return undefined;
  return hex.match(/../g)?.join(':');
}

/**
 * What Invite Teammate… copies: the link VS Code opens with this extension, and the bare invite
 * on its own line for someone who uses the command line (`team-messenger join tm1.…`).
 */
export function inviteClipboardText(link: InviteLink, uriScheme: string): string {
  return `${inviteUri(link, uriScheme, EXTENSION_ID)}\n${formatInvite(link)}`;
}

/** "one person" or "up to 10 people". */
export function describeUses(uses: number): string {
  return uses === 1 ? 'one person' : `up to ${uses} people`;
}

/** "7 days", "24 hours", "30 minutes": how long an invite is valid. */
export function describeTtl(ttlMs: number): string {
  if (ttlMs % DAY_MS === 0 && ttlMs > DAY_MS) return `${ttlMs / DAY_MS} days`;
  if (ttlMs % HOUR_MS === 0) return ttlMs === HOUR_MS ? '1 hour' : `${ttlMs / HOUR_MS} hours`;
  const minutes = Math.round(ttlMs / 60_000);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The moment an invite expires, for people (local time, no seconds). */
export function describeUntil(expiresAt: number): string {
  return new Date(expiresAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The invite lifetime a person typed: `30m`, `12h`, `7d` (as the CLI's `--expires`), between a
 * minute and 30 days; else why not.
 */
export function parseTtl(text: string): number | string {
  const match = /^\s*(\d+)\s*([mhd])\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * { m: 60_000, h: HOUR_MS, d: DAY_MS }[match[2].toLowerCase() as 'm' | 'h' | 'd'] : NaN;
  if (!(ms >= InviteLimits.minTtlMs && ms <= InviteLimits.maxTtlMs)) return 'Enter a time like 30m, 12h or 7d: at least 1 minute, at most 30 days';
  return ms;
}

/** How many people may join with one invite, as a person typed it; else why not. */
export function parseUses(text: string): number | string {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= InviteLimits.maxUses)) return `Enter a number from 1 to ${InviteLimits.maxUses}`;
  return n;
}
