import type { InviteInfo } from '../protocol/inviteMessages';
import type { ClientMessage } from '../protocol/messages';

/** Asks the relay question `build(n)` and resolves with its answer (see PendingRequests). */
export type AskRelay = <T>(build: (n: number) => ClientMessage, what: string) => Promise<T>;

/**
 * A member's invites: make one (the token is told once, now), list them, revoke one's own. The
 * relay refuses with an error naming `invite-<n>` (FORBIDDEN, RATE_LIMITED), which rejects here.
 */
export class ClientInvites {
  constructor(private readonly ask: AskRelay) {}

  create(ask: { ttlMs?: number; uses?: number } = {}): Promise<{ invite: InviteInfo; token: string }> {
    return this.ask((n) => ({ t: 'invite-create', n, ...ask }), 'a new invite');
  }

  list(): Promise<InviteInfo[]> {
    return this.ask((n) => ({ t: 'invite-list', n }), 'the list of invites');
  }

  /** Revokes invite `id`; resolves with the invites left. */
  revoke(id: string): Promise<InviteInfo[]> {
    return this.ask((n) => ({ t: 'invite-revoke', n, id }), `revoking invite ${id}`);
  }
}
