import { z } from 'zod';
import { Limits } from '../net/protocol/limits';
import type { ConnectionView } from '../model/connectionView';
import type { ConversationId, ConversationMessage } from '../model/conversationTypes';
import type { FileCard } from '../model/fileCardTypes';

export type { ConnectionView, FileCard };

/**
 * Messages between the extension and the chat webview, both directions. The webview script
 * and the extension import these types; nothing else crosses the boundary. The webview
 * starts with `ready`, and the extension answers with `init`: that handshake makes a reloaded
 * or re-shown panel come back exactly as it was.
 *
 * The webview holds the messages of the conversation on screen (pages are added as the reader
 * scrolls, from the editor's store first and then from the relay), and renders only the rows
 * in view. Peer data is data: names, texts and emoji only ever become text in the page.
 */

/** 'channel' (#general among them), 'peer' (one person) or 'group' (several people). */
export type ConversationKindView = 'channel' | 'peer' | 'group';

export interface ConversationSummary {
  id: ConversationId;
  /** '#general', '#deploys', 'bob', 'bob, carol'. */
  title: string;
  kind: ConversationKindView;
  /** A private channel (the lock icon). */
  private?: boolean;
  /** Anyone in it online now (channels: always false, no dot). */
  online: boolean;
  unread: number;
  /** Mentions of the user among the unread (channels). */
  mentions?: number;
  lastText: string;
  lastActivity: number;
}

/** One emoji on a message: how many reacted, their names (for the tooltip), and whether the user did. */
export interface ReactionView {
  emoji: string;
  count: number;
  /** Who reacted, at most a screenful; `count` says how many in all. */
  names: string[];
  mine: boolean;
}

/** On a thread's parent: its replies. */
export interface RepliesView {
  count: number;
  lastTs: number;
  /** The latest repliers' names. */
  names: string[];
}

/** A message as the webview shows it: the model's message with names in place of client ids
 *  (reactions and thread summaries), file sizes in words ("12 KB"), `deleted` a plain flag. */
export interface MessageView extends Omit<ConversationMessage, 'reactions' | 'replies' | 'deleted' | 'files'> {
  deleted?: boolean;
  files?: { name: string; size: string }[];
  reactions?: ReactionView[];
  replies?: RepliesView;
}

/** "Seen by" under the user's own last message (direct and small group conversations). */
export interface SeenView {
  messageId: string;
  names: string[];
}

export interface ConversationView {
  id: ConversationId;
  title: string;
  kind: ConversationKindView;
  private?: boolean;
  /** A channel's topic. */
  topic?: string;
  /** How many people are in it (channels). */
  memberCount?: number;
  /** Member names, for the header's tooltip. */
  memberNames: string[];
  /** An archived channel: readable, nothing can be written. */
  archived?: boolean;
  messages: MessageView[];
  /** Older messages exist (in the store or on the relay): the webview asks with `load-older`. */
  hasOlder: boolean;
  /** Newer messages exist than the last one sent (after a jump into history): `load-newer`. */
  hasNewer?: boolean;
  /** File offers and transfers with the people in it, shown among the messages by time. */
  cards: FileCard[];
  /** The first message the user had not read when the conversation was opened ("New messages"). */
  firstUnreadId?: string;
  seen?: SeenView;
  /** Scroll to this message and highlight it (a jump from search, a link or a thread). */
  focusId?: string;
}

export interface SearchHitView {
  conversationId: ConversationId;
  /** The conversation's title ('#deploys', 'bob'). */
  title: string;
  message: MessageView;
}

/**
 * What Enter in the composer does now: `send` at once; `queue` (offline) keeps the message as
 * pending and sends it with the next connection; `blocked` (no connection yet, nothing to queue
 * into) sends nothing and leaves the text in the box. `note` says so in words, except for `send`.
 */
export interface ComposerState {
  mode: 'send' | 'queue' | 'blocked';
  note: string;
}

export type ToWebview =
  | {
      type: 'init';
      self: { clientId: string; name: string };
      connection: ConnectionView;
      conversations: ConversationSummary[];
      selected: ConversationView | undefined;
      composer: ComposerState;
    }
  | { type: 'conversations'; conversations: ConversationSummary[] }
  | { type: 'conversation'; conversation: ConversationView }
  /** A new or changed message; `previousId` when its id changed (a pending message acknowledged).
   *  A reply (`message.thread`) goes to the thread pane, not the conversation. */
  | { type: 'message'; conversationId: ConversationId; message: MessageView; previousId?: string }
  /** A message changed (edited, deleted, reacted to, replied to): replaced where the webview holds it, never added. */
  | { type: 'updated'; conversationId: ConversationId; message: MessageView }
  /** An older page, oldest first, to go above what the webview holds. */
  | { type: 'older'; conversationId: ConversationId; messages: MessageView[]; hasOlder: boolean }
  /** A newer page (after a jump into history), to go below. */
  | { type: 'newer'; conversationId: ConversationId; messages: MessageView[]; hasNewer: boolean }
  /** A thread's replies (oldest first), for the thread pane; `parent` when the extension has it. */
  | {
      type: 'thread';
      conversationId: ConversationId;
      parentId: string;
      parent?: MessageView;
      replies: MessageView[];
      hasOlder: boolean;
      /** Earlier replies to go above those shown (Load earlier replies), not a fresh thread. */
      older?: boolean;
      focusId?: string;
    }
  | { type: 'seen'; conversationId: ConversationId; seen: SeenView | undefined }
  /** Loading older or newer messages or a thread failed (offline, say): the webview may try again. */
  | { type: 'load-failed'; conversationId: ConversationId; what: 'older' | 'newer' | 'thread'; error: string }
  | { type: 'search-results'; query: string; hits: SearchHitView[]; more: boolean; append: boolean; error?: string }
  /** Open the search pane (the Search Messages command), searching for `query` when given. */
  | { type: 'show-search'; query?: string }
  /** Something the user asked for did not happen (an edit refused, a delete failed). */
  | { type: 'notice'; text: string }
  | { type: 'typing'; conversationId: ConversationId; names: string[] }
  | { type: 'connection'; connection: ConnectionView }
  /** A file card added to, or changed in, its conversation (`card.conversationId`). */
  | { type: 'file-card'; card: FileCard }
  | { type: 'composer'; composer: ComposerState }
  /** A message the extension could not keep (it raced a change to `blocked`): back into the box
   *  (the thread's, for a reply to `parentId`). */
  | { type: 'unsent'; conversationId: ConversationId; text: string; parentId?: string }
  /** Move keyboard focus to the composer (after "Open Chat" or a notification's "Reply"). */
  | { type: 'focus-composer' };

/** Limits on what the webview may send, beyond the protocol's own. */
export const WebviewLimits = {
  messageIdChars: 200,
  queryChars: 500,
  emojiChars: 64,
} as const;

const conversationId = z.string().min(1).max(20_000);
const messageId = z.string().min(1).max(WebviewLimits.messageIdChars);
const text = z.string().min(1).max(Limits.textChars);
/** One emoji (a short grapheme sequence) or a `:shortcode:`: no spaces, no control characters. */
const emoji = z
  .string()
  .min(1)
  .max(WebviewLimits.emojiChars)
  .regex(/^[^\s\p{Cc}]+$/u);
const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** What the webview may send; parsed on arrival (strictly: unknown keys are refused), since the
 *  webview is a less trusted context. */
export const FromWebview = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('select'), conversationId }),
  z.strictObject({ type: z.literal('send'), conversationId, text }),
  z.strictObject({ type: z.literal('typing'), conversationId }),
  /** Open the code a peer shared (its location in this workspace, or the snippet). */
  z.strictObject({ type: z.literal('open-code'), conversationId, messageId }),
  /** Ask the extension for a quick pick to start a conversation with several peers. */
  z.strictObject({ type: z.literal('new-group') }),
  z.strictObject({ type: z.literal('retry'), conversationId, messageId }),
  /** Messages before `beforeId` (the oldest the webview holds; none held: the newest). */
  z.strictObject({ type: z.literal('load-older'), conversationId, beforeId: messageId.optional() }),
  /** Messages after `afterId` (the newest the webview holds, after a jump into history). */
  z.strictObject({ type: z.literal('load-newer'), conversationId, afterId: messageId }),
  /** Open the thread of `messageId`; with `beforeId`, its replies before that one. */
  z.strictObject({ type: z.literal('open-thread'), conversationId, messageId, beforeId: messageId.optional() }),
  z.strictObject({ type: z.literal('reply'), conversationId, parentId: messageId, text }),
  z.strictObject({ type: z.literal('edit'), conversationId, messageId, text }),
  z.strictObject({ type: z.literal('delete'), conversationId, messageId }),
  z.strictObject({ type: z.literal('react'), conversationId, messageId, emoji, on: z.boolean() }),
  /** A search; `before` (the last hit's seq) asks for the next page of the same query. */
  z.strictObject({ type: z.literal('search'), query: z.string().trim().min(1).max(WebviewLimits.queryChars), before: seq.optional() }),
  /** Open `conversationId` around `messageId` and highlight it (a search hit). */
  z.strictObject({ type: z.literal('jump'), conversationId, messageId }),
  /** Copy Link: a link to `messageId` (a reply: `threadId`, its parent) onto the clipboard. The
   *  extension checks both are relay ids and makes the link itself. */
  z.strictObject({ type: z.literal('copy-link'), conversationId, messageId, threadId: messageId.optional() }),
  /** A file card's button; the extension looks the card (and any path) up itself. */
  z.strictObject({
    type: z.literal('file-action'),
    cardId: z.string().max(100),
    action: z.enum(['accept', 'decline', 'cancel', 'open', 'reveal']),
    /** For open and reveal: which of the card's saved places. */
    place: z.number().int().min(0).max(1000).optional(),
  }),
  /** The composer's Connect… (shown while messages cannot be sent). */
  z.strictObject({ type: z.literal('connect') }),
]);
export type FromWebview = z.infer<typeof FromWebview>;
