import { ErrorCode } from '../net/protocol/errors';
import type { InviteRequest } from '../net/protocol/inviteMessages';
import type { Invites } from './invites';
import type { Session } from './session';

/**
 * A member's questions about invites: make one, list them, revoke one of one's own. Answers go
 * to the asking connection; a refusal is an error naming `invite-<n>`, the connection stays.
 */
export function answerInviteRequest(invites: Invites, session: Session, request: InviteRequest): void {
  const refuse = (code: ErrorCode, message: string) => session.connection.send({ t: 'error', code, message, ref: `invite-${request.n}`, fatal: false });
  switch (request.t) {
    case 'invite-create': {
      const made = invites.create({ clientId: session.clientId, name: session.name }, request);
      if (typeof made === 'string') refuse(ErrorCode.RateLimited, made);
      else session.connection.send({ t: 'invite-created', n: request.n, invite: made.invite, token: made.token });
      return;
    }
    case 'invite-list':
      session.connection.send({ t: 'invites', n: request.n, invites: invites.list() });
      return;
    case 'invite-revoke': {
      const refusal = invites.revoke(request.id, session.clientId);
      if (refusal) refuse(ErrorCode.Forbidden, refusal);
      else session.connection.send({ t: 'invites', n: request.n, invites: invites.list() });
      return;
    }
  }
}
