import { z } from 'zod';
import { ConversationLimits } from '../../net/protocol/conversationKeys';
import type { ChannelRecord, MessageState } from '../teamStore';
import { StoredChannelMeta, StoredClientId, StoredMessageState, StoredSeq } from '../teamStoreSchemas';

/**
 * The values of the `tm_team` bucket as JSON, checked when read: another relay (maybe of another
 * version) wrote them, and a value that does not fit is skipped and logged, never trusted.
 */

const seq = StoredSeq;
/** `members`: only in values a relay of the version before wrote (members have keys of their own now). */
const ChannelValue = StoredChannelMeta.extend({ members: z.array(StoredClientId).max(ConversationLimits.channelMembers).optional() });
const StateValue = StoredMessageState;
const ReadValue = z.object({ seq });
const ReceiptsValue = z.object({ on: z.boolean() });

/** A channel's value: everything but its members. */
export function encodeChannel(c: ChannelRecord): string {
  const { id, name, topic, archived, createdBy, createdAt } = c;
  return JSON.stringify({ id, name, topic, private: c.private, archived, createdBy, createdAt });
}

/** A channel's value; its members are those an older value listed (none in a value of this version). */
export function decodeChannel(bytes: Uint8Array): ChannelRecord | Error {
  const parsed = parse(ChannelValue, bytes);
  return parsed instanceof Error ? parsed : { ...parsed, members: new Set(parsed.members ?? []) };
}

/** A member key's value: the key itself says it all. */
export const MEMBER_VALUE = '{}';

export const encodeState = (state: MessageState): string => JSON.stringify(state);
export const decodeState = (bytes: Uint8Array): MessageState | Error => parse(StateValue, bytes);
export const encodeRead = (value: number): string => JSON.stringify({ seq: value });
export const decodeRead = (bytes: Uint8Array): number | Error => {
  const parsed = parse(ReadValue, bytes);
  return parsed instanceof Error ? parsed : parsed.seq;
};
export const encodeReceipts = (on: boolean): string => JSON.stringify({ on });
export const decodeReceipts = (bytes: Uint8Array): boolean | Error => {
  const parsed = parse(ReceiptsValue, bytes);
  return parsed instanceof Error ? parsed : parsed.on;
};

function parse<T extends z.ZodTypeAny>(schema: T, bytes: Uint8Array): z.infer<T> | Error {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : new Error(parsed.error.issues[0]?.message ?? 'invalid value');
  } catch (err) {
    return err as Error;
  }
}
