import { channelOfKey, GENERAL_CHANNEL } from '../net/protocol/conversationKeys';
import type { ClientState } from '../net/client/clientTypes';
import type { Logger } from '../net/logger';
import { conversationIdForKey } from '../model/conversationIds';
import type { ConversationId } from '../model/conversationTypes';
import { inert, type InertText } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import { type LinkParts, MESSAGE_LINK_PATH, type MessageLink, parseMessageLink } from '../model/messageLinks';
import type { ChannelView, MessengerModel } from '../model/messengerModel';

/**
 * The links VS Code hands the extension (uriHandler.ts), routed by path:
 * - `<scheme>://team-messenger.team-messenger/join?invite=tm1.…` (what Invite Teammate… copies)
 *   runs the join, as Paste Invite… would with the same text;
 * - `<scheme>://team-messenger.team-messenger/message?conv=…&id=…` (what Copy Link copies)
 *   opens the message;
 * - anything else is logged and left alone: a link is text from anyone.
 *
 * A message link is parsed strictly (messageLinks.ts), its conversation key turned into the
 * user's own conversation, and the chat panel opened on the message (which fetches it from the
 * relay when the store does not hold it). A conversation the user is not in, or one this relay
 * does not have, is said in a notification and nothing else happens. No `vscode` here: the ports
 * are VS Code's in extension.ts and fakes in the tests.
 */

export const JOIN_PATH = '/join';

export interface LinkRoutes {
  run(command: string, ...args: unknown[]): PromiseLike<unknown>;
  openMessage(parts: LinkParts): Promise<void>;
  logger: Logger;
}

/** Where a link goes, by its path (`/join`, `/message`). */
export function routeUri(parts: LinkParts, to: LinkRoutes): void {
  if (parts.path === JOIN_PATH) {
    // The whole query, not just `invite=`: a link cut or re-encoded on the way still says what is wrong.
    const invite = new URLSearchParams(parts.query).get('invite') ?? parts.query;
    to.logger.info('opening an invite link');
    void to.run('teamMessenger.joinInvite', invite);
    return;
  }
  if (parts.path === MESSAGE_LINK_PATH) {
    void to.openMessage(parts);
    return;
  }
  to.logger.warn('ignored a link this extension does not know', { path: parts.path.slice(0, 100) });
}

export type LinkModel = Pick<MessengerModel, 'selfId' | 'connectionState' | 'store' | 'channels' | 'listChannels' | 'joinChannel' | 'onConnectionChanged'>;

export interface LinkPorts {
  model: LinkModel;
  /** Opens the chat panel on the message (ChatPanel.show with `{ messageId, threadId }`). */
  show(conversationId: ConversationId, messageId: string, threadId?: string): void;
  /** A warning notification (safeWindow's): resolves the button chosen. */
  warn(message: InertText, ...items: InertText[]): PromiseLike<string | undefined>;
  /** Team Messenger: Connect to Relay… */
  connect(): void;
  /** Says the link waits for the connection (a status bar message), until disposed. */
  waiting(): IDisposable;
  logger: Logger;
  /** How long to wait for a connection under way (ms), and for one to start when none is. */
  waitMs?: { dialing: number; idle: number };
}

/** A connection under way (reconnecting, or the client starting with the window) is waited for this long. */
const DIALING_WAIT_MS = 15_000;
/** With none under way, this long for one to start (a link that opened VS Code comes before the client). */
const IDLE_WAIT_MS = 2_000;

/** Opens the message a link points to, or says why not. Never throws. */
export async function openMessageLink(parts: LinkParts, ports: LinkPorts): Promise<void> {
  try {
    await open(parts, ports);
  } catch (err) {
    ports.logger.warn('opening a message link failed', { error: (err as Error).message });
    void ports.warn(inert`Team Messenger could not open the message link: ${(err as Error).message}`);
  }
}

async function open(parts: LinkParts, ports: LinkPorts): Promise<void> {
  const { model, logger } = ports;
  const parsed = parseMessageLink(parts);
  if (!parsed.ok) {
    logger.warn('refused a message link', { problem: parsed.problem });
    void ports.warn(inert`This Team Messenger link cannot be opened: ${parsed.problem}.`);
    return;
  }
  const link = parsed.link;
  const online = await connected(ports);
  const selfId = model.selfId;
  if (!selfId) return notConnected(ports);
  const channelId = channelOfKey(link.key);
  if (channelId !== undefined && channelId !== GENERAL_CHANNEL) {
    const channel = await findChannel(model, channelId, online);
    // Offline, a channel not known may still be one the relay has.
    if (!channel && !online) return notConnected(ports);
    if (!channel) {
      void ports.warn(inert`That message was not found: its channel (#${channelId}) is not one you can see on this relay.`);
      return;
    }
    if (!channel.member) return notMember(ports, channel, link);
  }
  const conversationId = conversationIdForKey(link.key, selfId);
  if (conversationId === undefined) {
    logger.info('a message link to a conversation the user is not in');
    void ports.warn(inert`This message is in a conversation you are not in.`);
    return;
  }
  // Offline, a message the store holds still opens; anything else needs the relay.
  if (!online && !model.store.message(conversationId, link.messageId)) return notConnected(ports);
  logger.info('opening a message link', { conversation: conversationId.slice(0, 80), message: link.messageId });
  ports.show(conversationId, link.messageId, link.threadId);
}

/** The channel as the user knows it; not known and online: the relay's list, asked once. */
async function findChannel(model: LinkModel, channelId: string, online: boolean): Promise<ChannelView | undefined> {
  const known = model.channels().find((c) => c.id === channelId);
  if (known || !online) return known;
  try {
    return (await model.listChannels()).find((c) => c.id === channelId);
  } catch {
    return undefined;
  }
}

/** A channel the user is not in: said, with Join for a public one (then the message opens). */
async function notMember(ports: LinkPorts, channel: ChannelView, link: MessageLink): Promise<void> {
  const name = `#${channel.name}`;
  if (channel.private || channel.archived) {
    void ports.warn(inert`This message is in a conversation you are not in (${name}).`);
    return;
  }
  const join = inert`Join ${name}`;
  const choice = await ports.warn(inert`This message is in a conversation you are not in (${name}). Join the channel to read it.`, join);
  if (choice !== join) return;
  try {
    const joined = await ports.model.joinChannel(channel.id);
    ports.show(joined.conversationId, link.messageId, link.threadId);
  } catch (err) {
    void ports.warn(inert`Could not join ${name}: ${(err as Error).message}`);
  }
}

async function notConnected(ports: LinkPorts): Promise<void> {
  const connect = inert`Connect…`;
  const choice = await ports.warn(inert`Team Messenger is not connected to a relay: connect, then open the message link again.`, connect);
  if (choice === connect) ports.connect();
}

/**
 * Whether the relay is there, after waiting for a connection under way (a link that started
 * VS Code arrives while the client is still starting): up to DIALING_WAIT_MS while connecting or
 * reconnecting, IDLE_WAIT_MS for one to start when none is.
 */
function connected(ports: LinkPorts): Promise<boolean> {
  const { model } = ports;
  if (model.connectionState === 'connected') return Promise.resolve(true);
  const { dialing, idle } = ports.waitMs ?? { dialing: DIALING_WAIT_MS, idle: IDLE_WAIT_MS };
  const deadline = Date.now() + dialing;
  const shown = ports.waiting();
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (state: ClientState | 'idle') => {
      if (timer) clearTimeout(timer);
      const left = Math.max(0, deadline - Date.now());
      timer = setTimeout(() => finish(false), isDialing(state) ? left : Math.min(left, idle));
    };
    const subscription = model.onConnectionChanged((state) => (state === 'connected' ? finish(true) : arm(state)));
    const finish = (up: boolean) => {
      if (timer) clearTimeout(timer);
      subscription.dispose();
      shown.dispose();
      resolve(up);
    };
    arm(model.connectionState);
  });
}

function isDialing(state: ClientState | 'idle'): boolean {
  return state === 'connecting' || state === 'reconnecting';
}
