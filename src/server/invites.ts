import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../net/logger';
import { randomToken } from '../net/randomToken';
import { INVITE_TOKEN, InviteInfo, InviteLimits } from '../net/protocol/inviteMessages';
import { writeFileAtomic } from '../net/atomicFile';

/**
 * The relay's invites: tokens that let a newcomer in once (or `uses` times) before they expire,
 * so a team lead can invite with a link instead of handing out the team secret. Only a hash of
 * each token's secret part is kept; with a history folder they survive restarts (invites.json).
 */

const FILE = 'invites.json';
/** Invites held at most: expired ones go first, and a week after expiry they go anyway. */
const MAX_INVITES = 1000;
const KEEP_EXPIRED_MS = 7 * 24 * 3600 * 1000;
/** Usable invites one member may have at once: nobody can crowd out everyone else's. */
export const MAX_OPEN_PER_MEMBER = 50;

export const Stored = InviteInfo.extend({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Who came in with it: the same identity again (its first welcome was lost) is let in again. */
  redeemedBy: z.array(z.string().max(64)).max(InviteLimits.maxUses),
});
export type Stored = z.infer<typeof Stored>;
const StoredFile = z.object({ invites: z.array(z.unknown()).max(10 * MAX_INVITES) });

/** A redeemed invite, or why not (`retry`: the relay could not decide now; another try may). */
export type Redeemed = { ok: true; invite: InviteInfo } | { ok: false; reason: string; retry?: true };

/** A use counted on an invite as it is now (undefined: there is none): the invite after it, or
 *  why it cannot be used. */
export type CountUse = (current: Stored | undefined) => Stored | string;

/** Where a cluster keeps invites instead of invites.json (cluster/kvInvites.ts): told of each
 *  change, so a token is known, and used up, on every relay. */
export interface InviteMirror {
  saved(invite: Stored): void;
  removed(id: string): void;
  /** Counts a use where every relay sees it first (compare-and-set in the engine), so two relays
   *  never both let a newcomer in with an invite's last use; rejects when the engine is away. */
  use(id: string, count: CountUse): Promise<Stored | string>;
}

export class Invites {
  private readonly invites = new Map<string, Stored>();

  constructor(
    private readonly dir: string | undefined,
    private readonly logger: Logger,
    private readonly mirror?: InviteMirror,
  ) {
    if (dir) this.load(path.join(dir, FILE));
  }

  /** An invite as another relay left it (the mirror's copy of the shared one). */
  adopt(invite: Stored): void {
    this.invites.set(invite.id, invite);
  }

  /** Another relay forgot this invite. */
  drop(id: string): void {
    this.invites.delete(id);
  }

  get(id: string): Stored | undefined {
    return this.invites.get(id);
  }

  /** A new invite by `by`, with its token (the only time the token is known); or why not. */
  create(by: { clientId: string; name: string }, ask: { ttlMs?: number; uses?: number }, now = Date.now()): { invite: InviteInfo; token: string } | string {
    this.forgetOld(now);
    let open = 0;
    for (const s of this.invites.values()) if (s.createdBy === by.clientId && stillUsable(s, now)) open++;
    if (open >= MAX_OPEN_PER_MEMBER) return `you have ${open} invites still open; revoke some first`;
    const id = randomToken(9);
    const secret = crypto.randomBytes(24).toString('base64url');
    const stored: Stored = {
      id,
      createdBy: by.clientId,
      createdByName: by.name,
      createdAt: now,
      expiresAt: now + (ask.ttlMs ?? InviteLimits.defaultTtlMs),
      uses: ask.uses ?? InviteLimits.defaultUses,
      used: 0,
      revoked: false,
      hash: hashOf(secret),
      redeemedBy: [],
    };
    this.invites.set(id, stored);
    this.save(stored);
    this.logger.info('invite created', { id, by: by.name, expiresAt: new Date(stored.expiresAt).toISOString(), uses: stored.uses });
    return { invite: info(stored), token: `${id}.${secret}` };
  }

  /** Checks `token` for `clientId` and, when it is good, counts one use (once per identity).
   *  The reason says what is wrong, for the newcomer. In a cluster the use is counted in the
   *  engine, so the answer comes later. */
  redeem(token: string, clientId: string, now = Date.now()): Redeemed | Promise<Redeemed> {
    if (!INVITE_TOKEN.test(token)) return { ok: false, reason: 'this is not an invite token' };
    const [id, secret] = token.split('.');
    const hash = Buffer.from(hashOf(secret), 'hex');
    const count: CountUse = (current) =>
      current && crypto.timingSafeEqual(hash, Buffer.from(current.hash, 'hex'))
        ? countUse(current, clientId, now)
        : 'this invite is not known to this relay (changed in transit, or made by another relay)';
    if (this.mirror) {
      return this.mirror.use(id, count).then(
        (after) => (typeof after === 'string' ? { ok: false, reason: after } : { ok: true, invite: info(after) }),
        (err: unknown) => {
          this.logger.warn('could not count an invite use in the cluster engine', { id, error: (err as Error).message });
          return { ok: false, reason: 'the relay cannot reach its cluster engine to check the invite; try again in a moment', retry: true };
        },
      );
    }
    const stored = this.invites.get(id);
    const after = count(stored);
    if (typeof after === 'string') return { ok: false, reason: after };
    if (after !== stored) {
      this.invites.set(id, after);
      this.save(after);
    }
    return { ok: true, invite: info(after) };
  }

  /** Revokes invite `id` when `clientId` created it; the reason when not. */
  revoke(id: string, clientId: string): string | undefined {
    const stored = this.invites.get(id);
    if (!stored) return `there is no invite ${id}`;
    if (stored.createdBy !== clientId) return `only ${stored.createdByName}, who created invite ${id}, may revoke it`;
    if (!stored.revoked) {
      stored.revoked = true;
      this.save(stored);
      this.logger.info('invite revoked', { id });
    }
    return undefined;
  }

  /** Every invite held, newest first. */
  list(now = Date.now()): InviteInfo[] {
    this.forgetOld(now);
    return [...this.invites.values()].reverse().map(info);
  }

  private forgetOld(now: number): void {
    let changed = false;
    for (const [id, s] of this.invites) {
      if (now - s.expiresAt > KEEP_EXPIRED_MS) changed = this.forget(id);
    }
    // Still full: the oldest that cannot be used any more, then the oldest of all.
    for (const evenUsable of [false, true]) {
      for (const [id, s] of this.invites) {
        if (this.invites.size < MAX_INVITES) break;
        if (evenUsable || !stillUsable(s, now)) changed = this.forget(id);
      }
    }
    if (changed) this.save();
  }

  private load(file: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn('cannot read the invites; starting with none', { file, error: (err as Error).message });
      return;
    }
    const top = StoredFile.safeParse(raw);
    if (!top.success) {
      this.logger.warn('the invites file is invalid; starting with none', { file });
      return;
    }
    let bad = 0;
    for (const item of top.data.invites) {
      const parsed = Stored.safeParse(item);
      if (parsed.success) this.invites.set(parsed.data.id, parsed.data);
      else bad++;
    }
    if (bad > 0) this.logger.warn('skipped unreadable invites', { file, invites: bad });
  }

  private forget(id: string): boolean {
    this.mirror?.removed(id);
    return this.invites.delete(id);
  }

  /** Writes the invites (`changed`: the one that changed, for the mirror). */
  private save(changed?: Stored): void {
    if (changed) this.mirror?.saved(changed);
    if (!this.dir) return;
    try {
      writeFileAtomic(path.join(this.dir, FILE), JSON.stringify({ invites: [...this.invites.values()] }) + '\n');
    } catch (err) {
      this.logger.error('cannot save the invites', { error: (err as Error).message });
    }
  }
}

/** `s` with one more use by `clientId`; `s` itself when they came in with it before; or why not. */
function countUse(s: Stored, clientId: string, now: number): Stored | string {
  if (s.redeemedBy.includes(clientId) && !s.revoked && now < s.expiresAt) return s;
  if (s.revoked) return `this invite was revoked by ${s.createdByName}; ask for a new one`;
  if (now >= s.expiresAt) return `this invite expired on ${new Date(s.expiresAt).toISOString()}; ask for a new one`;
  if (s.used >= s.uses) return `this invite was already used${s.uses > 1 ? ` ${s.used} times` : ''}; ask for a new one`;
  return { ...s, used: s.used + 1, redeemedBy: [...s.redeemedBy, clientId] };
}

function stillUsable(s: Stored, now: number): boolean {
  return !s.revoked && s.used < s.uses && now < s.expiresAt;
}

function hashOf(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

function info(s: Stored): InviteInfo {
  return {
    id: s.id,
    createdBy: s.createdBy,
    createdByName: s.createdByName,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    uses: s.uses,
    used: s.used,
    revoked: s.revoked,
  };
}
