import { encodeControl } from '../net/protocol/controlCodec';
import type { ChannelRequest } from '../net/protocol/conversationMessages';
import { ErrorCode } from '../net/protocol/errors';
import type { ChannelChange } from './channels';
import type { RelayContext } from './relayContext';
import { Refusal, refuseRequest } from './requestRefusal';
import type { Session } from './session';
import { channelsThatFit } from './wireBudget';

/**
 * A member's channel requests: list, create, join, leave, add members, rename, set the topic,
 * archive. The rules are channels.ts's; this stores what they allow and, once it is written,
 * answers the asker with `channel-result` and tells everyone else concerned with `channel`.
 */
export class ChannelRequests {
  constructor(private readonly ctx: RelayContext) {}

  handle(session: Session, request: ChannelRequest): void {
    const { channels, store, writes } = this.ctx;
    const clientId = session.clientId;
    if (request.t === 'channel-list') {
      const list = channelsThatFit(channels.visibleTo(clientId).map((c) => channels.info(c, clientId)));
      session.connection.send({ t: 'channel-list-result', n: request.n, channels: list });
      return;
    }
    const change =
      request.t === 'channel-create'
        ? channels.create(clientId, request)
        : request.t === 'channel-join'
          ? channels.join(clientId, request.channel)
          : request.t === 'channel-leave'
            ? channels.leave(clientId, request.channel)
            : request.t === 'channel-add'
              ? channels.add(clientId, request.channel, request.members)
              : channels.update(clientId, request.channel, request);
    if (change instanceof Refusal) return refuseRequest(session, request.n, change);
    const answer = () => session.connection.send({ t: 'channel-result', n: request.n, channel: channels.info(change.after, clientId) });
    if (!change.changed) return answer();
    store.putChannel(change.after);
    writes.after(
      () => {
        answer();
        this.announce(change, session);
        this.ctx.logger.info('channel changed', { channel: change.after.id, name: change.after.name, by: session.name, request: request.t });
      },
      // A code: another relay's change came first (a cluster) and the reason says which.
      (reason, code) =>
        refuseRequest(
          session,
          request.n,
          code ? new Refusal(code, reason) : new Refusal(ErrorCode.NotStored, `the channel was not changed: ${reason}; try again later`),
        ),
    );
  }

  private announce(change: ChannelChange, asker: Session): void {
    announceChannelChange(this.ctx, change, asker);
  }
}

/**
 * Tells everyone concerned but the asking connection (`except`; none for a change made on another
 * relay): for a public channel everyone online (members with the member list), for a private one
 * its members before and after the change (whoever just left or was never in it learns no members).
 */
export function announceChannelChange(ctx: RelayContext, change: Pick<ChannelChange, 'before' | 'after'>, except?: Session): void {
  const { channels, byClient, audience, flow } = ctx;
  const { before, after } = change;
  const forMembers = encodeControl({ t: 'channel', channel: channels.infoOf(after, true) });
  const forOthers = encodeControl({ t: 'channel', channel: channels.infoOf(after, false) });
  const concerned = after.private ? audience.onlineAmong(new Set([...(before?.members ?? []), ...after.members])) : byClient;
  for (const [clientId, sessions] of concerned) {
    const frame = after.members.has(clientId) ? forMembers : forOthers;
    for (const session of sessions) if (session !== except) flow.deliver(session, frame);
  }
}
