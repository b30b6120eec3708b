import { Limits } from '../net/protocol/limits';
import { Mention } from '../net/protocol/richMessages';
import { mentions as namesUser } from './channelsModel';

/**
 * Mentions (issue 27): the composer keeps `@Name` in the text and tells which people (client
 * ids) or rooms (`channel`, `here`) the user picked; on send these are checked against the text
 * (a pick whose `@Name` was edited away is dropped, so nobody is pinged by a mention they cannot
 * see), and a typed `@channel` or `@here` counts without a pick. Receivers show each mention by
 * the name they know, and know whether it is them.
 */

/** The Mentions list: the relay's search for messages that mention the searcher. */
export const MENTIONS_QUERY = 'is:mention';

/** The rooms a message may mention, as typed after '@'. */
export const ROOM_MENTIONS = ['channel', 'here'] as const;

/** `@channel`, `@here`, or `@` + the person's name. */
export function mentionText(mention: Mention, nameOf: (clientId: string) => string): string {
  return mention === 'channel' || mention === 'here' ? `@${mention}` : `@${nameOf(mention)}`;
}

/**
 * What a message being sent mentions: the picks (in order, once each) whose `@name` the text
 * still holds, then `@channel`/`@here` typed without a pick; at most Limits.mentionsPerMessage.
 * Picks that are not mentions at all (malformed ids) are dropped.
 */
export function resolveMentions(text: string, picked: readonly string[], nameOf: (clientId: string) => string): Mention[] {
  const out: Mention[] = [];
  const add = (mention: Mention) => {
    if (out.length < Limits.mentionsPerMessage && !out.includes(mention)) out.push(mention);
  };
  for (const pick of picked) {
    const parsed = Mention.safeParse(pick);
    if (!parsed.success) continue;
    const mention = parsed.data;
    const name = mention === 'channel' || mention === 'here' ? mention : nameOf(mention);
    if (namesUser(text, name)) add(mention);
  }
  for (const room of ROOM_MENTIONS) if (namesUser(text, room)) add(room);
  return out;
}

/**
 * Whether a message mentions the user: by their id, or `@channel`/`@here` (everyone in the
 * conversation, which the user is, since the message reached them). Never the user's own.
 */
export function mentionsUser(mentions: readonly Mention[] | undefined, selfId: string, own: boolean): boolean {
  return (mentions ?? []).some((m) => isUser(m, selfId, own));
}

/** Each mention as the reader sees it ('@Bob', '@here'), and whether it is the reader. */
export function describeMentions(
  mentions: readonly Mention[] | undefined,
  selfId: string,
  own: boolean,
  nameOf: (clientId: string) => string,
): { text: string; self: boolean }[] {
  return (mentions ?? []).map((m) => ({ text: mentionText(m, nameOf), self: isUser(m, selfId, own) }));
}

function isUser(mention: Mention, selfId: string, own: boolean): boolean {
  if (own) return false;
  return mention === 'channel' || mention === 'here' || (selfId !== '' && mention === selfId);
}
