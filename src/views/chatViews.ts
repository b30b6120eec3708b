import { describeWhat, formatBytes } from '../model/fileSizes';
import { attachmentViews } from './attachmentViews';
import type { ConversationKindView, ConversationSummary, ConversationView, MessageView, SeenView } from './chatProtocol';
import { channelOf, conversationKind, EVERYONE, membersOf } from '../model/conversationStore';
import type { ConversationId, ConversationMessage } from '../model/conversationTypes';
import type { FileCard } from '../model/fileCardTypes';
import { describeMentions, mentionsUser } from '../model/mentions';
import type { ChannelView, MessengerModel } from '../model/messengerModel';
import { patchView } from './codeMessageViews';
import { markdownOneLine } from '../model/text/markdownText';

/**
 * What the chat webview is sent, built from the model: messages with names in place of client
 * ids, the conversation list (channels, then direct messages), and a conversation's view. Pure
 * functions over the MessengerModel, so they are testable without VS Code.
 */

/** Names shown per reaction (the tooltip); the count says how many in all. */
const REACTION_NAMES = 20;
/** Member names for a header's tooltip. */
const MEMBER_NAMES = 50;
const PREVIEW_CHARS = 200;

export type ViewModel = Pick<
  MessengerModel,
  'store' | 'selfId' | 'nameOf' | 'isOnline' | 'roster' | 'channels' | 'conversationTitle' | 'seenBy' | 'connectionState'
>;

export function kindOf(id: ConversationId): ConversationKindView {
  const kind = conversationKind(id);
  return kind === 'everyone' ? 'channel' : kind;
}

/** A message for the webview: who reacted, replied and is mentioned by name, whether the user reacted or is mentioned. */
export function messageView(message: ConversationMessage, model: Pick<ViewModel, 'selfId' | 'nameOf'>): MessageView {
  const { reactions, replies, deleted, files, mentions, urgent, attachments, patch, ...rest } = message;
  const view: MessageView = { ...rest };
  if (patch && !deleted) view.patch = patchView(patch);
  if (deleted) view.deleted = true;
  if (urgent) view.urgent = true;
  if (mentions && mentions.length > 0 && !deleted) {
    view.mentions = describeMentions(mentions, model.selfId, message.own, (id) => model.nameOf(id));
    if (mentionsUser(mentions, model.selfId, message.own)) view.mentionsSelf = true;
  }
  if (files && files.length > 0) view.files = files.map((f) => ({ name: f.name, size: formatBytes(f.size) }));
  const attached = deleted ? undefined : attachmentViews(attachments);
  if (attached) view.attachments = attached;
  if (reactions && reactions.length > 0) {
    view.reactions = reactions.map((r) => ({
      emoji: r.emoji,
      count: r.by.length,
      names: r.by.slice(0, REACTION_NAMES).map((id) => (id === model.selfId ? 'you' : model.nameOf(id))),
      mine: r.by.includes(model.selfId),
    }));
  }
  if (replies && replies.count > 0) view.replies = { count: replies.count, lastTs: replies.lastTs, names: replies.by.map((id) => model.nameOf(id)) };
  return view;
}

export function messageViews(messages: readonly ConversationMessage[], model: Pick<ViewModel, 'selfId' | 'nameOf'>): MessageView[] {
  return messages.map((m) => messageView(m, model));
}

/** The channel a conversation is, as the model knows it. */
export function channelFor(model: Pick<ViewModel, 'channels'>, id: ConversationId): ChannelView | undefined {
  if (channelOf(id) === undefined) return undefined;
  return model.channels().find((c) => c.conversationId === id);
}

/**
 * The conversation list: Channels (#general first, then the joined ones by name; archived ones
 * left out) and Direct Messages (every online peer, then every stored people conversation, most
 * recent first). `keep` stays listed whatever it is (the conversation on screen).
 */
export function conversationSummaries(model: ViewModel, keep?: ConversationId): ConversationSummary[] {
  const store = model.store;
  const out = new Map<ConversationId, ConversationSummary>();
  const add = (id: ConversationId, channel?: ChannelView) => {
    if (out.has(id)) return;
    const conversation = store.get(id);
    const last = conversation?.messages[conversation.messages.length - 1];
    const kind = kindOf(id);
    const unread = store.unreadOf(id);
    out.set(id, {
      id,
      title: model.conversationTitle(id),
      kind,
      ...(channel?.private ? { private: true } : {}),
      online: kind !== 'channel' && membersOf(id).some((m) => model.isOnline(m)),
      unread,
      ...(channel && channel.mentions > 0 ? { mentions: channel.mentions } : {}),
      lastText: last ? preview(last, model.selfId) : '',
      lastActivity: conversation?.lastActivity ?? 0,
    });
  };
  add(EVERYONE);
  for (const channel of model.channels()) if (channel.member && !channel.archived) add(channel.conversationId, channel);
  const roster = model.roster();
  const people: ConversationId[] = [];
  for (const peer of roster.online) if (peer.clientId !== roster.selfId) people.push(`peer:${peer.clientId}`);
  for (const conversation of store.conversations) {
    if (channelOf(conversation.id) === undefined) people.push(conversation.id);
  }
  for (const id of people) add(id);
  if (keep !== undefined && !out.has(keep)) add(keep, channelFor(model, keep));
  const all = [...out.values()];
  const channels = all.filter((c) => c.kind === 'channel');
  const direct = all.filter((c) => c.kind !== 'channel');
  // #general first; then by name, as the Peers view lists them.
  channels.sort((a, b) => (a.id === EVERYONE ? -1 : b.id === EVERYONE ? 1 : a.title.localeCompare(b.title)));
  direct.sort((a, b) => b.lastActivity - a.lastActivity || a.title.localeCompare(b.title));
  return [...channels, ...direct];
}

function preview(message: ConversationMessage, selfId: string): string {
  const who = message.from === selfId || message.own ? 'You' : message.fromName;
  const what = message.deleted
    ? 'deleted a message'
    : message.code
      ? `shared ${message.code.path}`
      : message.text === '' && message.files?.length
        ? `offered ${describeWhat(message.files.map((f) => f.name))}`
        : message.text === '' && message.attachments?.length
          ? `sent ${describeWhat(message.attachments.map((a) => a.name))}`
          : // Markdown as the words it shows ("Deploy", not "**Deploy**").
            markdownOneLine(message.text, PREVIEW_CHARS);
  return `${who}: ${what}`.slice(0, PREVIEW_CHARS);
}

export interface ViewOptions {
  messages: readonly ConversationMessage[];
  hasOlder: boolean;
  hasNewer?: boolean;
  cards: FileCard[];
  firstUnreadId?: string;
  focusId?: string;
}

/** A conversation's view: its header (a channel's topic and members) and the given messages. */
export function conversationView(model: ViewModel, id: ConversationId, options: ViewOptions): ConversationView {
  const kind = kindOf(id);
  const channel = channelFor(model, id);
  const members = channel ? (channel.members ?? []) : membersOf(id);
  const shown = withoutCardRecords(options.messages, options.cards);
  const view: ConversationView = {
    id,
    title: model.conversationTitle(id),
    kind,
    memberNames: members.slice(0, MEMBER_NAMES).map((m) => (m === model.selfId ? 'you' : model.nameOf(m))),
    messages: messageViews(shown, model),
    hasOlder: options.hasOlder,
    cards: options.cards,
  };
  if (channel) {
    view.topic = channel.topic;
    view.memberCount = channel.memberCount;
    if (channel.private) view.private = true;
    if (channel.archived) view.archived = true;
  }
  if (options.hasNewer) view.hasNewer = true;
  if (options.firstUnreadId !== undefined) view.firstUnreadId = options.firstUnreadId;
  if (options.focusId !== undefined) view.focusId = options.focusId;
  const seen = seenView(model, id, shown);
  if (seen) view.seen = seen;
  return view;
}

/** The messages less those that record an offer whose file card is shown (once, as the card). */
export function withoutCardRecords(messages: readonly ConversationMessage[], cards: readonly FileCard[]): readonly ConversationMessage[] {
  const records = new Set(cards.flatMap((c) => (c.messageId !== undefined ? [c.messageId] : [])));
  return records.size === 0 ? messages : messages.filter((m) => !records.has(m.id));
}

/** "Seen by" for the user's newest stored message, in direct and small group conversations. */
export function seenView(model: Pick<ViewModel, 'seenBy'>, id: ConversationId, messages: readonly ConversationMessage[]): SeenView | undefined {
  if (channelOf(id) !== undefined) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (!m.own || m.seq === undefined) continue;
    const names = model.seenBy(id, m.seq);
    return names.length > 0 ? { messageId: m.id, names } : undefined;
  }
  return undefined;
}
