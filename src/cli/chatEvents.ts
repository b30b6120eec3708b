import { isChannelMember, TeamClient } from '../net/client/teamClient';
import { ChannelInfo } from '../net/protocol/conversationMessages';
import { channelOfKey, conversationKeyOf, GENERAL_CHANNEL, participantsOfKey } from '../net/protocol/conversationKeys';
import { ChatMessage, Update } from '../net/protocol/messages';
import { nameOf } from './clientSetup';
import { markdownAsText } from './terminalText';
import { attachmentText, richFields } from './richEvents';
import { codeFields, patchLine } from './codeOptions';

/**
 * Messages, changes and channels as the commands print them: one JSON object per line (names
 * for client ids, where the client knows them) or one line of text. `listen`, `history`,
 * `search` and `channels` share these so a script reads every command's output the same way.
 */

export type JsonEvent = Record<string, unknown>;

/** How people name a conversation: `#deploys` for a channel, `bob, carol` for people. */
export function conversationName(client: TeamClient, conv: string): string {
  const channelId = channelOfKey(conv);
  if (channelId !== undefined) return `#${client.conversations.channels.get(channelId)?.name ?? channelId}`;
  const others = participantsOfKey(conv).filter((id) => id !== client.clientId);
  return others.length ? others.map((id) => nameOf(client, id)).join(', ') : client.name;
}

/** A message's fields for JSON (`type` first, then everything a script may want). */
export function messageFields(client: TeamClient, message: ChatMessage): JsonEvent {
  const conv = conversationKeyOf(message.to, message.from);
  const to = Array.isArray(message.to) ? message.to.map((id) => nameOf(client, id)) : message.to === 'all' ? 'all' : conversationName(client, conv);
  return {
    from: message.fromName,
    fromId: message.from,
    to,
    conv,
    text: message.text,
    id: message.id,
    seq: message.seq,
    ts: message.ts,
    ...(message.code ? { code: message.code } : {}),
    ...(message.thread !== undefined ? { thread: message.thread } : {}),
    ...(message.files ? { files: message.files } : {}),
    ...richFields(client, message),
    ...codeFields(message),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.deleted ? { deleted: true } : {}),
    ...(message.reactions?.length ? { reactions: message.reactions.map((r) => ({ emoji: r.emoji, by: r.by.map((id) => nameOf(client, id)) })) } : {}),
    ...(message.replies
      ? { replies: { count: message.replies.count, lastTs: message.replies.lastTs, by: message.replies.by.map((id) => nameOf(client, id)) } }
      : {}),
    ...(message.replay ? { replay: true } : {}),
  };
}

export function messageEvent(client: TeamClient, message: ChatMessage): JsonEvent {
  return { type: 'message', ...messageFields(client, message) };
}

/** A change to a stored message: its latest version, and the change's own seq. */
export function updateEvent(client: TeamClient, update: Update): JsonEvent {
  return { type: 'update', updateSeq: update.seq, ...messageFields(client, update.message), conv: update.conv };
}

/** "alice → #deploys: text (edited) · 2 replies · 👍 2", a line for people. */
export function messageLine(client: TeamClient, message: ChatMessage): string {
  const where =
    message.to === 'all'
      ? 'everyone'
      : Array.isArray(message.to)
        ? message.to.map((id) => nameOf(client, id)).join(', ')
        : conversationName(client, conversationKeyOf(message.to, message.from));
  const thread = message.thread !== undefined ? ` (in thread ${message.thread})` : '';
  return `${message.fromName} → ${where}${thread}: ${messageBody(message)}`;
}

/** The text with what happened to it: "(edited)", "[deleted]", replies and reactions. */
export function messageBody(message: ChatMessage): string {
  if (message.deleted) return '[this message was deleted]';
  // Code, terminal output and problems are shown as they are (no markdown in them).
  const verbatim = message.code !== undefined || message.block !== undefined;
  const text = message.text === '' && message.files?.length ? `offered ${filesText(message.files)}` : verbatim ? message.text : markdownAsText(message.text);
  const head = (message.urgent ? '[urgent] ' : '') + text + (message.edited !== undefined ? ' (edited)' : '');
  // An image sent without words: its line starts with what is attached.
  const parts = head !== '' || !message.attachments?.length ? [head] : [];
  if (message.attachments?.length) parts.push(`attached: ${message.attachments.map(attachmentText).join(', ')}`);
  const patch = patchLine(message);
  if (patch) parts.push(patch);
  if (message.text !== '' && message.files?.length) parts.push(`files: ${filesText(message.files)}`);
  if (message.replies?.count) parts.push(`${message.replies.count} ${message.replies.count === 1 ? 'reply' : 'replies'}`);
  for (const reaction of message.reactions ?? []) parts.push(`${reaction.emoji} ${reaction.by.length}`);
  return parts.join(' · ');
}

/** Files named in a message (a file offer's record): "notes.txt (12 bytes), … and 3 more files". */
export function filesText(files: readonly { name: string; size: number }[]): string {
  const shown = files.slice(0, FILES_SHOWN).map((f) => `${f.name} (${f.size} ${f.size === 1 ? 'byte' : 'bytes'})`);
  const more = files.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` … and ${more} more ${more === 1 ? 'file' : 'files'}` : '');
}

const FILES_SHOWN = 5;

export function updateLine(client: TeamClient, update: Update): string {
  const message = update.message;
  const where = conversationName(client, update.conv);
  if (message.deleted) return `${message.fromName} deleted a message in ${where} (${message.id})`;
  return `${message.fromName}'s message in ${where} is now: ${messageBody(message)} (${message.id})`;
}

/** A line of history or search: "2024-05-01 09:30:12 alice: text  [id …]". */
export function historyLine(message: ChatMessage, where?: string): string {
  const when = new Date(message.ts).toISOString().replace('T', ' ').slice(0, 19);
  const thread = message.thread !== undefined ? ` (in thread ${message.thread})` : '';
  return `${when} ${where ? `${where} ` : ''}${message.fromName}${thread}: ${messageBody(message)}  [id ${message.id}]`;
}

export function channelEvent(client: TeamClient, channel: ChannelInfo): JsonEvent {
  return {
    type: 'channel',
    id: channel.id,
    name: channel.name,
    topic: channel.topic,
    private: channel.private,
    archived: channel.archived,
    member: isChannelMember(channel, client.clientId),
    memberCount: channel.memberCount,
    ...(channel.members ? { members: channel.members.map((id) => nameOf(client, id)) } : {}),
  };
}

/** "#deploys  private, 3 members, you are in it — topic". */
export function channelLine(client: TeamClient, channel: ChannelInfo): string {
  const traits = [
    ...(channel.private ? ['private'] : []),
    ...(channel.archived ? ['archived'] : []),
    channel.id === GENERAL_CHANNEL ? 'everyone' : `${channel.memberCount} ${channel.memberCount === 1 ? 'member' : 'members'}`,
    ...(channel.id !== GENERAL_CHANNEL && isChannelMember(channel, client.clientId) ? ['joined'] : []),
  ];
  return `#${channel.name}  ${traits.join(', ')}${channel.topic ? ` — ${channel.topic}` : ''}`;
}
