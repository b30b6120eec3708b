import type { ChannelInfo } from '../net/protocol/conversationMessages';
import { DEFAULT_MAX_PAYLOAD } from '../net/protocol/frame';

/**
 * The most JSON one answer carries: a client reads frames up to DEFAULT_MAX_PAYLOAD, and the
 * margin is the answer's own fields around its list. Lists that could grow past it (pages of
 * long messages, many channels with their members) are cut to fit, and say there is more.
 */
export const WIRE_BUDGET = DEFAULT_MAX_PAYLOAD - 64 * 1024;

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * How many of `items`, taken from the start, fit in `budget` bytes of JSON (at least one
 * whenever there is one: a single message always fits a frame).
 */
export function countThatFit(items: readonly unknown[], budget = WIRE_BUDGET): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += jsonBytes(items[i]) + 1;
    if (used > budget && i > 0) return i;
  }
  return items.length;
}

/** Channels with their member lists dropped, longest first, until the list fits `budget`
 *  (their counts stay). */
export function channelsThatFit(channels: ChannelInfo[], budget = WIRE_BUDGET): ChannelInfo[] {
  let size = jsonBytes(channels);
  if (size <= budget) return channels;
  const out = [...channels];
  const longest = out.map((c, i) => [c.members?.length ?? 0, i] as const).sort((a, b) => b[0] - a[0]);
  for (const [length, i] of longest) {
    if (size <= budget || length === 0) break;
    const { members: _members, ...bare } = out[i];
    size -= jsonBytes(out[i]) - jsonBytes(bare);
    out[i] = bare;
  }
  return out.slice(0, countThatFit(out, budget));
}
