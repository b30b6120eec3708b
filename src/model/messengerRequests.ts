import type { HistoryPage as ClientHistoryPage, SearchHits } from '../net/client/clientConversations';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { conversationIdForKey } from './conversationIds';
import type { ConversationStore } from './conversationStore';
import type { ConversationId } from './conversationTypes';
import type { HistoryPage, MessageHits } from './messengerModel';
import { messageFromChat } from './storeEntries';

/** What the Messenger makes of the relay's answers about messages: pages, search hits, ids. */

/** The relay id of a message to edit, delete or react to; a message not yet on the relay has none. */
export function changeableId(store: ConversationStore, conversationId: ConversationId, messageId: string): string {
  const held = store.message(conversationId, messageId);
  if (messageId.startsWith('local:') || (held && held.state !== 'delivered' && held.state !== 'sent')) {
    throw new TeamMessengerError(ErrorCode.BadMessage, 'this message is not on the relay yet');
  }
  return messageId;
}

export function pageFromHistory(page: ClientHistoryPage, selfId: string): HistoryPage {
  return { messages: page.messages.map((m) => messageFromChat(m, selfId)), older: page.older, newer: page.newer };
}

/** Search hits for the views: hits in conversations the user cannot name are left out. */
export function hitsFromSearch(found: SearchHits, selfId: string, title: (id: ConversationId) => string): MessageHits {
  const hits: MessageHits['hits'] = [];
  for (const hit of found.hits) {
    const conversationId = conversationIdForKey(hit.conv, selfId);
    if (conversationId !== undefined) hits.push({ conversationId, title: title(conversationId), message: messageFromChat(hit.message, selfId) });
  }
  return { hits, more: found.more };
}
