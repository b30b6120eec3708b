import { z } from 'zod';
import { Limits } from '../net/protocol/limits';
import { AttachmentId, Mention } from '../net/protocol/richMessages';
import type { ConnectionView } from '../model/connectionView';
import type { ConversationId, ConversationMessage } from '../model/conversationTypes';
import type { FileCard } from '../model/fileCardTypes';
import type { PatchView } from './codeViewTypes';

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

/** Someone or a room a message mentions, as its text says it; `self`: the user. */
export interface MentionView {
  /** '@Bob Smith', '@channel', '@here'. */
  text: string;
  self: boolean;
}

/** An attachment as the webview shows it (thumbnails only as data: URIs of the three image types). */
export interface AttachmentView {
  id: string;
  kind: 'image' | 'file';
  name: string;
  /** Formatted ("12 KB"). */
  size: string;
  mime: string;
  width?: number;
  height?: number;
  /** 'data:image/png|jpeg|webp;base64,…' only. */
  thumb?: string;
  state?: 'remote' | 'fetching' | 'ready' | 'failed';
  error?: string;
}

/** A message as the webview shows it: the model's message with names in place of client ids
 *  (reactions, thread summaries, mentions), file sizes in words ("12 KB"), `deleted` a plain flag. */
export interface MessageView extends Omit<
  ConversationMessage,
  'reactions' | 'replies' | 'deleted' | 'files' | 'mentions' | 'urgent' | 'attachments' | 'patch'
> {
  deleted?: boolean;
  files?: { name: string; size: string }[];
  reactions?: ReactionView[];
  replies?: RepliesView;
  mentions?: MentionView[];
  /** The message mentions the user (by id, or @channel/@here in a channel they are in). */
  mentionsSelf?: boolean;
  urgent?: boolean;
  attachments?: AttachmentView[];
  /** A patch (issue 28): summary and bounded diff rows; Preview/Apply ask the extension. */
  patch?: PatchView;
}

/** One TextMate rule of a colour theme: the scopes it colours and how. */
export interface TokenColorRule {
  name?: string;
  scope?: string | string[];
  settings: { foreground?: string; background?: string; fontStyle?: string };
}

/** The user's colour theme as code blocks need it (read by the extension from the theme's file). */
export interface CodeThemeView {
  /** The theme's label ('Default Dark Modern'), or the fallback's. */
  name: string;
  kind: 'light' | 'dark' | 'hc-dark' | 'hc-light';
  /** editor.foreground / editor.background (#hex); tokens in `fg` take the page's own colour. */
  fg: string;
  bg: string;
  tokenColors: TokenColorRule[];
  /** 'theme': from the active theme's file; 'fallback': built-in Dark+/Light+ colours of its kind. */
  source: 'theme' | 'fallback';
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
  /** How the conversation notifies the user (the header's bell: All Messages, Mentions Only, Mute). */
  notify?: 'all' | 'mentions' | 'muted';
}

export interface SearchHitView {
  conversationId: ConversationId;
  /** The conversation's title ('#deploys', 'bob'). */
  title: string;
  message: MessageView;
}

/** Whom the composer's autocomplete offers after '@' (people by name; `@channel` and `@here`
 *  are the webview's own), and the channels after '#'. */
export interface DirectoryView {
  people: { id: string; name: string; online: boolean }[];
  /** Names without '#'. */
  channels: string[];
}

/** A conversation's unsent text and staged images. */
export interface DraftView {
  conversationId: ConversationId;
  text: string;
  attachments: AttachmentView[];
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
      /** The colours of code blocks (sent again as `code-theme` when the user switches themes). */
      codeTheme?: CodeThemeView;
      /** Unsent drafts the extension kept (a fresh page starts from these). */
      drafts?: DraftView[];
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
  | { type: 'code-theme'; theme: CodeThemeView }
  /** The grammar (with those it embeds) the webview asked for with `load-grammar`; undefined: none. */
  | { type: 'grammar'; language: string; grammars: unknown[] | undefined }
  /** Move keyboard focus to the composer (after "Open Chat" or a notification's "Reply"). */
  | { type: 'focus-composer' }
  /** An image from `attach-image` is kept: it goes with the next message (`send.attachments`). */
  | { type: 'attachment-staged'; conversationId: ConversationId; token: string; attachment: AttachmentView }
  /** An image from `attach-image` cannot be sent, and why. */
  | { type: 'attachment-refused'; conversationId: ConversationId; token: string; error: string }
  /** An image dropped from the Explorer: the page makes its thumbnail and attaches it like a pasted one. */
  | { type: 'image-to-attach'; conversationId: ConversationId; name: string; mime: string; data: string }
  /** A message's attachment is being fetched from its author, is here, or could not be got. */
  | {
      type: 'attachment-state';
      conversationId: ConversationId;
      messageId: string;
      attachmentId: string;
      state: 'fetching' | 'ready' | 'failed';
      error?: string;
    }
  /** Whom and what the composer can mention (sent after `init` and when the roster or channels change). */
  | { type: 'directory'; directory: DirectoryView };

/** Limits on what the webview may send, beyond the protocol's own. */
export const WebviewLimits = {
  messageIdChars: 200,
  queryChars: 500,
  emojiChars: 64,
  linkChars: 8192,
  /** An image pasted or dropped into the composer (larger ones go as files). */
  imageBytes: 20 * 1024 * 1024,
  /** A file dropped from the system: its bytes cross into the extension in one message. */
  droppedFileBytes: 50 * 1024 * 1024,
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
const mentions = z.array(Mention).max(Limits.mentionsPerMessage);
/** Base64 of at most `bytes` bytes. */
function base64(bytes: number) {
  return z
    .string()
    .min(1)
    .max(Math.ceil(bytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
}

/** What the webview may send; parsed on arrival (strictly: unknown keys are refused), since the
 *  webview is a less trusted context. */
export const FromWebview = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('select'), conversationId }),
  /** `mentions`: whom the user picked in the autocomplete; the extension keeps those the text still names. */
  z.strictObject({
    type: z.literal('send'),
    conversationId,
    /** May be empty when the message carries attachments. */
    text: z.string().max(Limits.textChars),
    mentions: mentions.optional(),
    /** Images staged with `attach-image` (their ids). */
    attachments: z.array(AttachmentId).min(1).max(Limits.attachmentsPerMessage).optional(),
    /** The composer's Urgent toggle was on: the message notifies even under Do Not Disturb. */
    urgent: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('typing'), conversationId }),
  /** Open the code a peer shared (its location in this workspace, or the snippet). */
  z.strictObject({ type: z.literal('open-code'), conversationId, messageId }),
  /** A patch message's Preview / Apply (issue 28): the extension takes the patch from the stored message. */
  z.strictObject({ type: z.literal('preview-patch'), conversationId, messageId }),
  z.strictObject({ type: z.literal('apply-patch'), conversationId, messageId }),
  /** The `index`-th `path:line` of a terminal or problem block (-1: the problem's own), found again by the extension. */
  z.strictObject({ type: z.literal('open-location'), conversationId, messageId, index: z.number().int().min(-1).max(1000) }),
  /** Ask the extension for a quick pick to start a conversation with several peers. */
  z.strictObject({ type: z.literal('new-group') }),
  z.strictObject({ type: z.literal('notification-settings'), conversationId }),
  z.strictObject({ type: z.literal('retry'), conversationId, messageId }),
  /** Messages before `beforeId` (the oldest the webview holds; none held: the newest). */
  z.strictObject({ type: z.literal('load-older'), conversationId, beforeId: messageId.optional() }),
  /** Messages after `afterId` (the newest the webview holds, after a jump into history). */
  z.strictObject({ type: z.literal('load-newer'), conversationId, afterId: messageId }),
  /** Open the thread of `messageId`; with `beforeId`, its replies before that one. */
  z.strictObject({ type: z.literal('open-thread'), conversationId, messageId, beforeId: messageId.optional() }),
  /** `text` may be empty when the reply carries images staged with `attach-image`. */
  z.strictObject({
    type: z.literal('reply'),
    conversationId,
    parentId: messageId,
    text: z.string().max(Limits.textChars),
    mentions: mentions.optional(),
    attachments: z.array(AttachmentId).min(1).max(Limits.attachmentsPerMessage).optional(),
    urgent: z.literal(true).optional(),
  }),
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
  /** A link in a message: http(s)/mailto opened through VS Code (its own confirmation first); a
   *  relative path opened from the receiver's workspace only. The extension checks it again. With
   *  the message it is in, a typed `path:line` opens through the link that message carries (issue 28). */
  z.strictObject({
    type: z.literal('open-link'),
    href: z.string().min(1).max(WebviewLimits.linkChars),
    conversationId: conversationId.optional(),
    messageId: messageId.optional(),
  }),
  /** A code block's Copy button. */
  z.strictObject({ type: z.literal('copy-text'), text }),
  /** A code block's Open in Editor: a new untitled document in `language` (a fence label). */
  z.strictObject({ type: z.literal('open-snippet'), language: z.string().max(64), text }),
  /** The grammar for a code block's language (a name from codeLanguages.ts GRAMMARS). */
  z.strictObject({ type: z.literal('load-grammar'), language: z.string().min(1).max(64) }),
  /** The composer's Connect… (shown while messages cannot be sent). */
  z.strictObject({ type: z.literal('connect') }),
  /** A pasted or dropped image for the composer: its bytes and the thumbnail the page made.
   *  The extension checks the bytes, keeps them, and answers `attachment-staged` or `-refused`. */
  z.strictObject({
    type: z.literal('attach-image'),
    conversationId,
    token: z.string().min(1).max(64),
    name: z.string().min(1).max(255),
    data: base64(WebviewLimits.imageBytes),
    thumb: base64(Limits.thumbnailChars * 0.75),
    thumbMime: z.enum(['image/png', 'image/jpeg', 'image/webp']),
    width: z.number().int().min(1).max(100_000),
    height: z.number().int().min(1).max(100_000),
  }),
  /** Files dropped from VS Code's Explorer (`file:` URIs): offered to the people in the conversation. */
  z.strictObject({
    type: z.literal('send-files'),
    conversationId,
    uris: z.array(z.string().min(1).max(WebviewLimits.linkChars)).min(1).max(Limits.filesPerOffer),
  }),
  /** A file dropped from the system (the page has its bytes, not its path): offered likewise. */
  z.strictObject({ type: z.literal('send-file-data'), conversationId, name: z.string().min(1).max(255), data: base64(WebviewLimits.droppedFileBytes) }),
  /** A message's image or file: open it (fetched from its author first when not here). */
  z.strictObject({ type: z.literal('open-attachment'), conversationId, messageId, attachmentId: AttachmentId }),
  /** The composer's unsent text and staged images, kept by the extension across reloads. */
  z.strictObject({
    type: z.literal('draft'),
    conversationId,
    text: z.string().max(Limits.textChars),
    attachments: z.array(AttachmentId).max(Limits.attachmentsPerMessage),
  }),
]);
export type FromWebview = z.infer<typeof FromWebview>;
