import type { Logger } from '../net/logger';
import type { TeamMessengerError } from '../net/protocol/errors';
import type { Audience } from './audience';
import type { Channels } from './channels';
import type { ClusterSignals } from './cluster/clusterSignals';
import type { FlowControl } from './flowControl';
import type { MessageHistory } from './history';
import type { PeerDirectory } from './peerDirectory';
import type { Presence } from './presence';
import type { RecentRefs } from './recentRefs';
import type { Session } from './session';
import type { StoreWrites } from './storeWrites';
import type { TeamStore } from './teamStore';

/**
 * What the relay's parts share: who is online, what is remembered, and how frames reach a
 * connection. The relay (relay.ts) owns it; the greeter (hello and admission), the router
 * (messages between people) and the conversation requests (conversationRequests.ts) work on it.
 */
export interface RelayContext {
  /** Ready sessions by identity; an identity may be connected from several places, most from one.
   *  Arrays rather than Sets: one entry is ~30 bytes instead of ~150, per idle connection. */
  readonly byClient: Map<string, Session[]>;
  readonly history: MessageHistory;
  readonly directory: PeerDirectory;
  readonly presence: Presence<Session>;
  readonly flow: FlowControl;
  readonly recentRefs: RecentRefs;
  /** Channels, read markers and message changes (teamStore.ts). */
  readonly store: TeamStore;
  /** What announces a store change waits here until the store is written. */
  readonly writes: StoreWrites;
  /** The rules of channels: who may read and write where. */
  readonly channels: Channels;
  /** Who hears about a conversation. */
  readonly audience: Audience;
  readonly logger: Logger;
  /** Closes one connection because of what it did, telling it why. */
  fail(session: Session, error: TeamMessengerError): void;
  /** In a cluster, once joined: typing, pings and file requests for people on the other relays. */
  readonly elsewhere: { signals?: ClusterSignals };
}

/** The newest connection of one identity's (where files go, what a search lists). */
export function newestOf(sessions: readonly Session[] | undefined): Session | undefined {
  let newest: Session | undefined;
  for (const s of sessions ?? []) if (!newest || s.id > newest.id) newest = s;
  return newest;
}
