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
 */

export interface ConversationSummary {
  id: ConversationId;
  title: string;
  /** 'everyone' | 'peer' | 'group', for the icon. */
  kind: 'everyone' | 'peer' | 'group';
  /** Anyone in it online now (for Everyone: always true). */
  online: boolean;
  unread: number;
  lastText: string;
  lastActivity: number;
}

export interface ConversationView {
  id: ConversationId;
  title: string;
  kind: ConversationSummary['kind'];
  /** Member names, for the header's tooltip. */
  memberNames: string[];
  messages: ConversationMessage[];
  /** Fewer messages than the store holds were sent: the webview may ask for older ones. */
  hasOlder: boolean;
  /** File offers and transfers with the people in it, shown among the messages by time. */
  cards: FileCard[];
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
  /** A message added to, or changed in (state, id after ack), the selected conversation. */
  /** A new or changed message; `previousId` when its id changed (a pending message acknowledged). */
  | { type: 'message'; conversationId: ConversationId; message: ConversationMessage; previousId?: string }
  | { type: 'typing'; conversationId: ConversationId; names: string[] }
  | { type: 'connection'; connection: ConnectionView }
  /** A file card added to, or changed in, its conversation (`card.conversationId`). */
  | { type: 'file-card'; card: FileCard }
  | { type: 'composer'; composer: ComposerState }
  /** A message the extension could not keep (it raced a change to `blocked`): back into the box. */
  | { type: 'unsent'; conversationId: ConversationId; text: string }
  /** Move keyboard focus to the composer (after "Open Chat" or a notification's "Reply"). */
  | { type: 'focus-composer' };

const conversationId = z.string().min(1).max(20_000);

/** What the webview may send; parsed on arrival, since the webview is a less trusted context. */
export const FromWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('select'), conversationId }),
  z.object({ type: z.literal('send'), conversationId, text: z.string().min(1).max(Limits.textChars) }),
  z.object({ type: z.literal('typing'), conversationId }),
  /** Open the code a peer shared (its location in this workspace, or the snippet). */
  z.object({ type: z.literal('open-code'), conversationId, messageId: z.string().max(200) }),
  /** Ask the extension for a quick pick to start a conversation with several peers. */
  z.object({ type: z.literal('new-group') }),
  z.object({ type: z.literal('retry'), conversationId, messageId: z.string().max(200) }),
  z.object({ type: z.literal('load-older'), conversationId }),
  /** A file card's button; the extension looks the card (and any path) up itself. */
  z.object({
    type: z.literal('file-action'),
    cardId: z.string().max(100),
    action: z.enum(['accept', 'decline', 'cancel', 'open', 'reveal']),
    /** For open and reveal: which of the card's saved places. */
    place: z.number().int().min(0).max(1000).optional(),
  }),
  /** The composer's Connect… (shown while messages cannot be sent). */
  z.object({ type: z.literal('connect') }),
]);
export type FromWebview = z.infer<typeof FromWebview>;
