import { z } from 'zod';
import type { Logger } from '../net/logger';
import type { ChannelInfo } from '../net/protocol/conversationMessages';
import { isClientId } from '../net/protocol/messages';
import { channelsToSave, MAX_SAVED_CHANNELS_JSON, restoredChannels } from './channelsModel';
import { ConversationStore, ConversationStoreOptions } from './conversationStore';
import { KeyValueStore, SavedPart, SavedState } from './savedState';
import { MAX_PERSISTED_JSON, unreadableConversations } from './storePersistence';
import { MAX_FOUND, rememberFound } from './watchSet';

/**
 * What the Messenger keeps between sessions, per identity: its conversations (the messages still
 * to send among them), the peers the user found and the channels it is in. Each is a part of its
 * own: when one cannot be restored the others still are.
 */
export class MessengerPersistence {
  private readonly saved: SavedState;

  constructor(
    state: KeyValueStore,
    private readonly logger: Logger,
  ) {
    this.saved = new SavedState(state, logger);
  }

  /** The identity's saved conversations, or an empty store when there are none or they cannot be read. */
  loadStore(options: ConversationStoreOptions): ConversationStore {
    const key = storeKey(options.selfId);
    const tally = { dropped: 0 };
    const store = this.saved.read(key, conversationsPart(options, tally));
    // Single bad entries are dropped as they are read; one line says how many.
    if (tally.dropped > 0) this.logger.warn(`dropped ${tally.dropped} unreadable saved conversations or messages; restored the rest`, { key });
    return store ?? new ConversationStore(options);
  }

  saveStore(store: ConversationStore): void {
    void this.saved.write(storeKey(store.selfId), store.toJSON(), CONVERSATIONS);
  }

  /** The peers the identity found, newest first ([] when none were saved or they cannot be read). */
  loadFound(selfId: string): string[] {
    return this.saved.read(foundKey(selfId), FOUND) ?? [];
  }

  saveFound(selfId: string, found: readonly string[]): void {
    void this.saved.write(foundKey(selfId), found.filter(isClientId).slice(0, MAX_FOUND), FOUND);
  }

  /** The channels the identity was in last time ([] when none were saved or they cannot be read). */
  loadChannels(selfId: string): ChannelInfo[] {
    return this.saved.read(channelsKey(selfId), CHANNELS) ?? [];
  }

  saveChannels(selfId: string, channels: Iterable<ChannelInfo>): void {
    void this.saved.write(channelsKey(selfId), channelsToSave(channels, selfId), CHANNELS);
  }
}

function channelsKey(selfId: string): string {
  return `teamMessenger.channels.${selfId}`;
}

const CHANNELS: SavedPart<ChannelInfo[]> = {
  what: 'the saved list of channels',
  instead: 'starting with none until the relay says',
  maxChars: MAX_SAVED_CHANNELS_JSON,
  parse: restoredChannels,
};

function storeKey(selfId: string): string {
  return `teamMessenger.conversations.${selfId}`;
}

function foundKey(selfId: string): string {
  return `teamMessenger.foundPeers.${selfId}`;
}

/** Above what the store writes (see PERSISTED_JSON_WRITTEN), so it never discards its own output. */
const CONVERSATIONS: SavedPart<unknown> = {
  what: 'saved conversations',
  instead: 'starting with none',
  maxChars: MAX_PERSISTED_JSON,
  parse: (value) => value,
};

function conversationsPart(options: ConversationStoreOptions, tally: { dropped: number }): SavedPart<ConversationStore> {
  return {
    ...CONVERSATIONS,
    parse: (value) => {
      const why = unreadableConversations(value, options.selfId);
      if (why !== undefined) throw new Error(why);
      return ConversationStore.fromJSON(value, options, tally);
    },
  };
}

/** Client ids are at most 64 characters: the list written is at most MAX_FOUND of them, quoted. */
const FOUND: SavedPart<string[]> = {
  what: 'the saved list of peers found',
  instead: 'starting with none',
  maxChars: 2 + MAX_FOUND * (64 + 3),
  parse: (value) =>
    rememberFound(
      [],
      z
        .array(z.unknown())
        .parse(value)
        .filter((id): id is string => typeof id === 'string' && isClientId(id)),
    ),
};
