import { EXTENSION_ID } from '../net/invite';
import { Limits } from '../net/protocol/limits';
import { isClientId } from '../net/protocol/messages';

/**
 * Links to one message, as Copy Link puts them on the clipboard and VS Code opens them with this
 * extension: `<scheme>://team-messenger.team-messenger/message?conv=<key>&id=<message id>`, with
 * `&thread=<parent id>` for a thread reply. `conv` is the relay's conversation key (`#<channel>`,
 * `@<ids>`), the same for everyone in the conversation, so a link works for each of them.
 *
 * A link is text from anyone: it is parsed strictly (this host and path, these parameters once
 * each and nothing else, a well-formed key and relay message ids, bounded lengths) before
 * anything is done with it. Whether the user may read the conversation is decided afterwards,
 * by who the user is, and by the relay.
 */

export interface MessageLink {
  /** The relay's conversation key: `#<channel id>` or `@<client ids, sorted>`. */
  key: string;
  /** The message, a relay id (`<epoch>-<seq>`). */
  messageId: string;
  /** The thread's parent, when the message is a reply in a thread. */
  threadId?: string;
}

/** A link's parts as VS Code's Uri gives them (`query` already percent-decoded). */
export interface LinkParts {
  authority: string;
  path: string;
  query: string;
}

export type ParsedMessageLink = { ok: true; link: MessageLink } | { ok: false; problem: string };

export const MESSAGE_LINK_PATH = '/message';

const CHANNEL_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** A relay message id: the history's epoch (base64url, at most 64 characters), a dash, its seq. */
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}-([1-9][0-9]{0,15})$/;
const SCHEME = /^[a-z][a-z0-9+.-]{0,31}$/i;
/** The most people a key names: a group's targets and the sender. */
const MAX_PEOPLE = Limits.targets + 1;
/** A key's longest form: every client id at its longest, and the commas between them. */
const MAX_KEY_CHARS = 1 + MAX_PEOPLE * 65;
/** A link's longest form, the key percent-encoded (`,` → `%2C`) and two message ids with it. */
export const MAX_MESSAGE_LINK_CHARS = 400 + 3 * MAX_KEY_CHARS;

/** Whether `id` is a message id the relay gives (`<epoch>-<seq>`, seq a safe positive integer). */
export function isRelayMessageId(id: string): boolean {
  const seq = MESSAGE_ID.exec(id)?.[1];
  return seq !== undefined && Number.isSafeInteger(Number(seq));
}

/**
 * Whether `key` is a well-formed conversation key: `#` and a channel id, or `@` and 1 to 257
 * client ids, distinct and sorted in code-unit order (as every client and the relay make them).
 */
export function isConversationKey(key: string): boolean {
  if (key.length < 2 || key.length > MAX_KEY_CHARS) return false;
  if (key.startsWith('#')) return CHANNEL_ID.test(key.slice(1));
  if (!key.startsWith('@')) return false;
  const ids = key.slice(1).split(',');
  if (ids.length > MAX_PEOPLE) return false;
  for (let i = 0; i < ids.length; i++) {
    if (!isClientId(ids[i]!)) return false;
    if (i > 0 && !(ids[i - 1]! < ids[i]!)) return false; // unsorted or a duplicate
  }
  return true;
}

/**
 * The link to a message. `scheme` is the one VS Code opens (vscode.env.uriScheme: `vscode`,
 * `vscode-insiders`, …). Throws on a key, id or scheme no link could carry.
 */
export function formatMessageLink(link: MessageLink, scheme: string, extensionId: string = EXTENSION_ID): string {
  const problem = linkProblem(link) ?? (SCHEME.test(scheme) ? undefined : 'not a URI scheme');
  if (problem !== undefined) throw new TypeError(`cannot make a message link: ${problem}`);
  const thread = link.threadId !== undefined ? `&thread=${encodeURIComponent(link.threadId)}` : '';
  return `${scheme}://${extensionId}${MESSAGE_LINK_PATH}?conv=${encodeURIComponent(link.key)}&id=${encodeURIComponent(link.messageId)}${thread}`;
}

/**
 * The message a link points to: the whole link as text, or the parts VS Code's Uri handed the
 * extension. Anything else (another host or path, a missing, repeated or unknown parameter, an
 * ill-formed key or id, too long) is refused, saying what is wrong.
 */
export function parseMessageLink(input: string | LinkParts, extensionId: string = EXTENSION_ID): ParsedMessageLink {
  const length = typeof input === 'string' ? input.trim().length : input.authority.length + input.path.length + input.query.length;
  if (length > MAX_MESSAGE_LINK_CHARS) return refused('the link is too long');
  const parts = typeof input === 'string' ? partsOf(input.trim()) : input;
  if (parts === undefined) return refused('it is not a link');
  if (parts.authority.toLowerCase() !== extensionId.toLowerCase()) return refused('it is not a Team Messenger link');
  if (parts.path !== MESSAGE_LINK_PATH) return refused('the link does not point to a message');
  const values = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(parts.query)) {
    if (name !== 'conv' && name !== 'id' && name !== 'thread') return refused(`the link has a part Team Messenger does not know ("${name.slice(0, 20)}")`);
    if (values.has(name)) return refused(`the link names "${name}" twice`);
    values.set(name, value);
  }
  const key = values.get('conv');
  const messageId = values.get('id');
  if (!key) return refused('the link names no conversation');
  if (!messageId) return refused('the link names no message');
  const threadId = values.get('thread');
  const link: MessageLink = { key, messageId, ...(threadId !== undefined ? { threadId } : {}) };
  const problem = linkProblem(link);
  return problem !== undefined ? refused(problem) : { ok: true, link };
}

function linkProblem(link: MessageLink): string | undefined {
  if (!isConversationKey(link.key)) return 'the link’s conversation is not one Team Messenger names';
  if (!isRelayMessageId(link.messageId)) return 'the link’s message is not one a relay names';
  if (link.threadId !== undefined && !isRelayMessageId(link.threadId)) return 'the link’s thread is not one a relay names';
  if (link.threadId === link.messageId) return 'the link’s message cannot be its own thread';
  return undefined;
}

/** A link's text split into its parts (the query still encoded), or undefined when it is no URI. */
function partsOf(text: string): LinkParts | undefined {
  const found = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/i.exec(text);
  if (!found || !SCHEME.test(found[1]!) || found[5] !== undefined) return undefined;
  // Only the query's values are percent-encoded; URLSearchParams decodes them.
  return { authority: found[2]!, path: found[3]!, query: found[4] ?? '' };
}

function refused(problem: string): ParsedMessageLink {
  return { ok: false, problem };
}
