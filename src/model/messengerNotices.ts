import type { ChatMessage } from '../net/protocol/messages';
import { mentions } from './channelsModel';
import { isChannelConversation } from './conversationIds';
import type { ConversationStore } from './conversationStore';
import type { ConversationId } from './conversationTypes';

/**
 * Whether a new message (not the user's own, not a replay, not on screen) is worth a
 * notification: anything in a direct or group conversation; in a channel, a message that names
 * the user ("@name") or a reply in a thread the user is in (wrote its parent or replied to it).
 */
export function noticeWanted(store: ConversationStore, conversationId: ConversationId, message: ChatMessage, selfName: string): boolean {
  if (!isChannelConversation(conversationId)) return true;
  if (mentions(message.text, selfName)) return true;
  return message.thread !== undefined && inThread(store, conversationId, message.thread, message.id);
}

/** Whether the user wrote the thread's parent or one of its replies (`except` left out). */
export function inThread(store: ConversationStore, conversationId: ConversationId, parentId: string, except?: string): boolean {
  const parent = store.message(conversationId, parentId);
  if (parent?.own || parent?.replies?.by.includes(store.selfId)) return true;
  return store.threadReplies(conversationId, parentId).some((reply) => reply.own && reply.id !== except);
}
