import * as vscode from 'vscode';
import { FromWebview } from './chatProtocol';
import type { ChatRequests } from './chatRequests';
import { openPlace, revealPlace } from './fileActions';
import { isConversationId } from '../model/conversationStore';
import type { ConversationId } from '../model/conversationTypes';
import type { FileCards } from '../model/fileCards';
import type { MessengerModel } from '../model/messengerModel';

/** What the panel does itself when the webview asks. */
export interface InboxPanel {
  ready(): void;
  select(conversationId: ConversationId): void;
  jump(conversationId: ConversationId, messageId: string): void;
  /** A message that could not be kept goes back into the composer. */
  unsent(conversationId: ConversationId, text: string): void;
}

export interface InboxDeps {
  messenger: MessengerModel;
  cards: FileCards;
  requests: ChatRequests;
  panel: InboxPanel;
}

/**
 * What the chat webview asks for, acted on. Every message is parsed first (FromWebview, strict
 * and bounded) and its conversation id checked: the webview is a less trusted context, and
 * anything malformed is dropped. Cards and paths are looked up here, never taken from it.
 */
export function handleFromWebview(raw: unknown, deps: InboxDeps): void {
  const parsed = FromWebview.safeParse(raw);
  if (!parsed.success) return; // a webview bug or tampering: ignored, never trusted
  const message = parsed.data;
  const { messenger, requests, panel } = deps;
  if ('conversationId' in message && !isConversationId(message.conversationId, messenger.selfId || undefined)) return;
  switch (message.type) {
    case 'ready':
      panel.ready();
      return;
    case 'select':
      panel.select(message.conversationId);
      return;
    case 'send':
      if (!message.text.trim()) return;
      // Not kept (no connection yet): the text goes back into the box, never lost.
      if (!messenger.send(message.conversationId, message.text)) panel.unsent(message.conversationId, message.text);
      return;
    case 'typing':
      messenger.sendTyping(message.conversationId);
      return;
    case 'retry':
      messenger.retry(message.conversationId, message.messageId);
      return;
    case 'open-code': {
      const found = messenger.store.message(message.conversationId, message.messageId);
      if (found?.code) void vscode.commands.executeCommand('teamMessenger.openSharedCode', found.code, found.text);
      return;
    }
    case 'new-group':
      void vscode.commands.executeCommand('teamMessenger.newGroupConversation');
      return;
    case 'load-older':
      void requests.loadOlder(message.conversationId, message.beforeId);
      return;
    case 'load-newer':
      void requests.loadNewer(message.conversationId, message.afterId);
      return;
    case 'open-thread':
      void requests.openThread(message.conversationId, message.messageId, message.beforeId);
      return;
    case 'reply':
      if (message.text.trim()) requests.reply(message.conversationId, message.parentId, message.text);
      return;
    case 'edit':
      if (message.text.trim()) void requests.edit(message.conversationId, message.messageId, message.text);
      return;
    case 'delete':
      void requests.remove(message.conversationId, message.messageId);
      return;
    case 'react':
      void requests.react(message.conversationId, message.messageId, message.emoji, message.on);
      return;
    case 'search':
      void requests.search(message.query, message.before);
      return;
    case 'jump':
      panel.jump(message.conversationId, message.messageId);
      return;
    case 'copy-link':
      void requests.copyLink(message.conversationId, message.messageId, message.threadId);
      return;
    case 'file-action':
      void fileAction(deps.cards, message.cardId, message.action, message.place ?? 0);
      return;
    case 'connect':
      void vscode.commands.executeCommand('teamMessenger.connect');
      return;
  }
}

/** A card's button: the card and its paths are looked up here, never taken from the webview. */
async function fileAction(cards: FileCards, cardId: string, action: Extract<FromWebview, { type: 'file-action' }>['action'], index: number): Promise<void> {
  if (action === 'accept') return cards.accept(cardId);
  if (action === 'decline') return cards.decline(cardId);
  if (action === 'cancel') return cards.cancel(cardId);
  const place = cards.get(cardId)?.saved?.[index];
  if (!place) return;
  if (action === 'open') await openPlace(place);
  else await revealPlace(place);
}
