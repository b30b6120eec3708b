import * as vscode from 'vscode';
import { FromWebview } from './chatProtocol';
import type { ChatRequests } from './chatRequests';
import type { RichTextRequest } from './richText';
import type { PanelAttachments } from './attachmentsPanel';
import { openPlace, revealPlace } from './fileActions';
import { isConversationId } from '../model/conversationStore';
import type { ConversationId, MessageExtras } from '../model/conversationTypes';
import type { FileCards } from '../model/fileCards';
import { resolveMentions } from '../model/mentions';
import type { MessengerModel } from '../model/messengerModel';
import { composerExtras } from './composerExtras';
import type { ComposerSends } from './composerSends';
import { linkTarget } from './linkTargets';
import { sentLinkFor } from '../model/code/textLinks';
import type { TextLink } from '../net/protocol/codeMessages';

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
  /** Images, dropped files and drafts (absent: the composer sends text only). */
  attachments?: PanelAttachments;
  /** Finds the typed `path:line` links of a message before it goes, in order (absent: sent as typed). */
  sends?: ComposerSends;
  /** Links, code buttons and grammars of formatted messages (richText.ts). */
  richText?: { handle(request: RichTextRequest): Promise<void> };
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
    case 'send': {
      const extras = composed(deps, message);
      if (extras === null) return;
      const send = (links: TextLink[]) => {
        const all = links.length > 0 ? { ...extras, links } : extras;
        // Not kept (no connection yet): the text goes back into the box, never lost.
        if (!messenger.send(message.conversationId, message.text, undefined, all)) panel.unsent(message.conversationId, message.text);
      };
      if (deps.sends) deps.sends.send(message.text, send);
      else send([]);
      return;
    }
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
    case 'preview-patch':
    case 'apply-patch':
    case 'open-location':
      // src/extension/codeMessagesWiring.ts: the message is looked up there, never taken from the webview.
      void vscode.commands.executeCommand('teamMessenger.codeMessageAction', message);
      return;
    case 'new-group':
      void vscode.commands.executeCommand('teamMessenger.newGroupConversation');
      return;
    case 'notification-settings':
      void vscode.commands.executeCommand('teamMessenger.conversationNotifications', message.conversationId);
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
    case 'reply': {
      const extras = composed(deps, message);
      if (extras !== null) requests.reply(message.conversationId, message.parentId, message.text, extras);
      return;
    }
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
    case 'attach-image':
    case 'send-files':
    case 'send-file-data':
    case 'open-attachment':
    case 'draft':
      deps.attachments?.handle(message);
      return;
    case 'open-link': {
      const linked = textLinkMessage(messenger, message);
      if (!linked) return void deps.richText?.handle(message);
      // src/extension/codeMessagesWiring.ts opens it through the message's link (looked up again), or says it could not.
      const request = { type: 'open-text-link', ...linked, href: message.href };
      void Promise.resolve(vscode.commands.executeCommand<boolean>('teamMessenger.codeMessageAction', request)).then((opened) =>
        opened ? undefined : deps.richText?.handle({ type: 'open-link', href: message.href }),
      );
      return;
    }
    case 'copy-text':
    case 'open-snippet':
    case 'load-grammar':
      void deps.richText?.handle(message);
      return;
  }
}

/**
 * The message a clicked `path:line` link carries identity for (issue 28): the one the webview
 * names, else the newest in the conversation on screen with a link for that path and line.
 */
function textLinkMessage(messenger: MessengerModel, request: { href: string; conversationId?: string; messageId?: string }) {
  const target = linkTarget(request.href);
  const conversationId = request.conversationId ?? messenger.store.active;
  if (target?.kind !== 'workspace' || target.line === undefined || conversationId === undefined) return undefined;
  const location = { path: target.relative, line: target.line };
  const candidates =
    request.messageId !== undefined
      ? [messenger.store.message(conversationId, request.messageId)]
      : [...messenger.store.page(conversationId, 200).messages].reverse();
  const found = candidates.find((m) => m !== undefined && !m.deleted && sentLinkFor(m.links, location) !== undefined);
  return found && { conversationId, messageId: found.id };
}

/** The mentions the user picked that the text still names (and a typed @channel/@here), if any. */
/** What a message from the composer or a thread's box carries besides its text (mentions kept,
 *  staged images, urgent); null when there is nothing to send (no text, no image). */
function composed(deps: InboxDeps, message: Extract<FromWebview, { type: 'send' | 'reply' }>): MessageExtras | undefined | null {
  const attachments = deps.attachments?.resolve(message.conversationId, message.attachments) ?? [];
  if (!message.text.trim() && attachments.length === 0) return null;
  return composerExtras(mentionExtras(deps.messenger, message.text, message.mentions), attachments, message.urgent);
}

function mentionExtras(messenger: MessengerModel, text: string, picked: readonly string[] = []): MessageExtras | undefined {
  const mentions = resolveMentions(text, picked, (id) => messenger.nameOf(id));
  return mentions.length > 0 ? { mentions } : undefined;
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
