import { GENERAL_KEY, participantsOfKey } from '../net/protocol/conversationKeys';
import type { Channels } from './channels';
import type { Session } from './session';
import type { TeamStore } from './teamStore';

/**
 * Who hears about a conversation: the identities that may read it and are connected now, each
 * with its connections. #general is everyone online; a channel its members; a direct or group
 * conversation its participants.
 */
export class Audience {
  constructor(
    private readonly byClient: ReadonlyMap<string, readonly Session[]>,
    private readonly store: TeamStore,
    private readonly channels: Channels,
  ) {}

  /** The online readers of `conv` and their connections. */
  *online(conv: string): Generator<[clientId: string, sessions: readonly Session[]]> {
    if (conv === GENERAL_KEY) {
      yield* this.byClient;
      return;
    }
    if (conv.startsWith('#')) {
      const members = this.store.channel(conv.slice(1))?.members;
      if (members) yield* this.onlineAmong(members);
      return;
    }
    yield* this.onlineAmong(new Set(participantsOfKey(conv)));
  }

  /** Those of `ids` online, walking whichever of the two is smaller (a big channel, few online). */
  *onlineAmong(ids: ReadonlySet<string>): Generator<[clientId: string, sessions: readonly Session[]]> {
    if (ids.size <= this.byClient.size) {
      for (const id of ids) {
        const sessions = this.byClient.get(id);
        if (sessions) yield [id, sessions];
      }
    } else {
      for (const entry of this.byClient) if (ids.has(entry[0])) yield entry;
    }
  }

  /** A read check for one identity over many records (a replay, a search): each conversation is
   *  decided once. */
  readerCheck(clientId: string): (conv: string) => boolean {
    const decided = new Map<string, boolean>();
    return (conv) => {
      let may = decided.get(conv);
      if (may === undefined) decided.set(conv, (may = this.channels.canRead(clientId, conv)));
      return may;
    };
  }
}
