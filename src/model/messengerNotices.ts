import type { ChatMessage } from '../net/protocol/messages';
import { mentions } from './channelsModel';
import { isChannelConversation } from './conversationIds';
import type { ConversationStore } from './conversationStore';
import type { ConversationId } from './conversationTypes';
import type { MentionOfUser, NoticeFacts } from './notificationPolicy';

/** What the notification policy (notificationPolicy.ts) needs to know of a new message. */
export function noticeFacts(store: ConversationStore, conversationId: ConversationId, message: ChatMessage, selfName: string): NoticeFacts {
  return {
    channel: isChannelConversation(conversationId),
    mention: mentionOfUser(message, store.selfId, selfName),
    urgent: message.urgent === true,
    inOwnThread: message.thread !== undefined && inThread(store, conversationId, message.thread, message.id),
  };
}

/**
 * How the message names the user: `mentions` when the sender's client gave them (the user's id,
 * 'channel', 'here'); otherwise, from clients that predate mentions, "@name", "@channel" or
 * "@here" in the text.
 */
export function mentionOfUser(message: Pick<ChatMessage, 'mentions' | 'text'>, selfId: string, selfName: string): MentionOfUser | undefined {
  if (message.mentions) {
    if (message.mentions.includes(selfId)) return 'self';
    return message.mentions.includes('channel') || message.mentions.includes('here') ? 'room' : undefined;
  }
  if (mentions(message.text, selfName)) return 'self';
  return mentions(message.text, 'channel') || mentions(message.text, 'here') ? 'room' : undefined;
}

/** Whether the user wrote the thread's parent or one of its replies (`except` left out). */
export function inThread(store: ConversationStore, conversationId: ConversationId, parentId: string, except?: string): boolean {
  const parent = store.message(conversationId, parentId);
  if (parent?.own || parent?.replies?.by.includes(store.selfId)) return true;
  return store.threadReplies(conversationId, parentId).some((reply) => reply.own && reply.id !== except);
}
