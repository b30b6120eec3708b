import { channelOf, EVERYONE, membersOf } from './conversationIds';
import type { ConversationId } from './conversationTypes';
import type { MessengerModel } from './messengerModel';

/** Whom a dropped file goes to: the people of a direct or group conversation; a channel's members online now. */
export function recipients(messenger: Pick<MessengerModel, 'selfId' | 'roster' | 'channels'>, conversationId: ConversationId): string[] {
  if (channelOf(conversationId) === undefined) return membersOf(conversationId).filter((id) => id !== messenger.selfId);
  const online = new Set<string>();
  for (const peer of messenger.roster().online) if (peer.clientId !== messenger.selfId) online.add(peer.clientId);
  if (conversationId === EVERYONE) return [...online];
  const channel = messenger.channels().find((c) => c.conversationId === conversationId);
  return channel?.members ? [...online].filter((id) => channel.members!.includes(id)) : [...online];
}
