import { z } from 'zod';
import type { Bookmark } from '../net/client/teamClient';
import { SavedPart, SavedState } from '../model/savedState';

/**
 * What the extension keeps per relay: where the user left off in its history (per identity),
 * and its pinned certificate; and which relays the user connected to lately. Read through SavedState, so one unreadable entry is cleared and
 * said once, and the rest is restored. No `vscode` here, so it is tested in plain Node.
 */

export function bookmarkKey(server: string, clientId: string): string {
  return `teamMessenger.bookmark.${server}.${clientId}`;
}

export function pinKey(server: string): string {
  return `teamMessenger.pinnedCertificate.${server}`;
}

/** The relay's epoch is at most 64 characters (the hello's `resume` says so). */
const BookmarkSchema = z.object({ epoch: z.string().max(64), seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });

/** A SHA-256 fingerprint: 64 hex digits, with or without colons (as the client compares them). */
const FingerprintSchema = z
  .string()
  .max(200)
  .refine((f) => f.replace(/[^0-9a-f]/gi, '').length === 64, 'not a SHA-256 fingerprint');

/** `host:port` (IPv6 in brackets), as Connect… takes it. */
const ServerSchema = z
  .string()
  .max(300)
  .regex(/^(\[[^\]]+\]|[^:\s/]+)(:\d{1,5})?$/, 'not host:port');

/** Relays offered by Connect…, newest first. */
export const MAX_RECENT_RELAYS = 5;
export const RECENT_RELAYS_KEY = 'teamMessenger.recentRelays';

export const BOOKMARK: SavedPart<Bookmark> = {
  what: "the saved place in a relay's history",
  instead: 'receiving the recent history again',
  maxChars: 1000,
  parse: (value) => BookmarkSchema.parse(value),
};

export const PIN: SavedPart<string> = {
  what: 'a pinned relay certificate',
  instead: "the relay's certificate will be shown to trust again",
  maxChars: 1000,
  parse: (value) => FingerprintSchema.parse(value),
};

export function loadBookmark(saved: SavedState, server: string, clientId: string): Bookmark | undefined {
  return saved.read(bookmarkKey(server, clientId), BOOKMARK);
}

export function loadPin(saved: SavedState, server: string): string | undefined {
  return saved.read(pinKey(server), PIN);
}

export const RECENT_RELAYS: SavedPart<string[]> = {
  what: 'the list of recent relays',
  instead: 'Connect… offers none until the next connection',
  maxChars: 2000,
  parse: (value) => z.array(ServerSchema).max(MAX_RECENT_RELAYS).parse(value),
};

export function loadRecentRelays(saved: SavedState): string[] {
  return saved.read(RECENT_RELAYS_KEY, RECENT_RELAYS) ?? [];
}

/** Puts `server` first among the recent relays (once), keeping the newest few. */
export async function rememberRelay(saved: SavedState, server: string): Promise<void> {
  if (!ServerSchema.safeParse(server).success) return;
  const recent = [server, ...loadRecentRelays(saved).filter((s) => s !== server)].slice(0, MAX_RECENT_RELAYS);
  await saved.write(RECENT_RELAYS_KEY, recent, RECENT_RELAYS);
}
