import { z } from 'zod';

/**
 * Invites: a member asks the relay for a token that lets one newcomer in without the team
 * secret (the relay gives the newcomer the secret once the token checks out). Tokens are
 * `<id>.<secret>`: the relay keeps only a hash of the secret part.
 */

export const INVITE_TOKEN = /^[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{32}$/;
const inviteId = z.string().regex(/^[A-Za-z0-9_-]{12}$/, 'not an invite id');
export const InviteToken = z.string().regex(INVITE_TOKEN, 'not an invite token');

const counter = z.number().int().nonnegative();
const DAY_MS = 24 * 3600 * 1000;

/** Bounds on what a member may ask for. */
export const InviteLimits = { minTtlMs: 60_000, maxTtlMs: 30 * DAY_MS, maxUses: 100, defaultTtlMs: 7 * DAY_MS, defaultUses: 1 } as const;

// ---------------------------------------------------------------- client -> relay

/** A new invite: for `uses` people (default 1) within `ttlMs` (default 7 days). */
export const InviteCreate = z.object({
  t: z.literal('invite-create'),
  n: counter,
  ttlMs: z.number().int().min(InviteLimits.minTtlMs).max(InviteLimits.maxTtlMs).optional(),
  uses: z.number().int().min(1).max(InviteLimits.maxUses).optional(),
});
export type InviteCreate = z.infer<typeof InviteCreate>;

export const InviteListRequest = z.object({ t: z.literal('invite-list'), n: counter });
/** Only whoever created an invite may revoke it. */
export const InviteRevoke = z.object({ t: z.literal('invite-revoke'), n: counter, id: inviteId });
export type InviteRevoke = z.infer<typeof InviteRevoke>;

export type InviteRequest = z.infer<typeof InviteCreate> | z.infer<typeof InviteListRequest> | z.infer<typeof InviteRevoke>;

// ---------------------------------------------------------------- relay -> client

export const InviteInfo = z.object({
  id: inviteId,
  createdBy: z.string().max(64),
  createdByName: z.string().max(200),
  createdAt: counter,
  expiresAt: counter,
  uses: z.number().int().min(1).max(InviteLimits.maxUses),
  used: counter,
  revoked: z.boolean(),
});
export type InviteInfo = z.infer<typeof InviteInfo>;

/** A new invite, with its token: the only time the relay tells the token. */
export const InviteCreated = z.object({ t: z.literal('invite-created'), n: counter, invite: InviteInfo, token: InviteToken });
export type InviteCreated = z.infer<typeof InviteCreated>;

/** The answer to invite-list and invite-revoke: the invites the relay holds, newest first. */
export const InviteListResult = z.object({ t: z.literal('invites'), n: counter, invites: z.array(InviteInfo).max(1000) });
export type InviteListResult = z.infer<typeof InviteListResult>;
