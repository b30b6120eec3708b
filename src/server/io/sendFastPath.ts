import { decodeClientMessage } from '../../net/protocol/controlCodec';
import { ClientMessage, isClientId, Limits, Send } from '../../net/protocol/messages';
import { hasCodeParts } from '../../net/protocol/codeMessages';
import { scanPlainSend } from './plainSendScan';

/**
 * The relay decodes a `send` for every chat message it routes, and running the zod schema on
 * each one was a measurable share of its CPU (bench/NOTES.md). This checks the common shape
 * — plain text to `all` or to a list of identities, no code excerpt, thread, mention or
 * attachment — by hand and returns the
 * same object the schema would. Anything it is not sure of, valid or not, returns undefined and
 * goes through the schema, so what is accepted and every error text stay the schema's own; the
 * unit tests compare the two on seeded random input.
 */
export function fastSend(value: Record<string, unknown>): Send | undefined {
  if (value.t !== 'send' || value.code !== undefined || value.thread !== undefined) return undefined;
  if (value.mentions !== undefined || value.urgent !== undefined || value.attachments !== undefined || hasCodeParts(value)) return undefined;
  const ref = value.ref;
  if (typeof ref !== 'string' || ref.length < 1 || ref.length > Limits.refChars) return undefined;
  const text = value.text;
  if (typeof text !== 'string' || text.length > Limits.textChars) return undefined;
  const to = value.to;
  if (to === 'all') return { t: 'send', ref, to, text };
  if (!Array.isArray(to) || to.length < 1 || to.length > Limits.targets) return undefined;
  for (let i = 0; i < to.length; i++) {
    const id: unknown = to[i];
    if (typeof id !== 'string' || !isClientId(id)) return undefined;
  }
  // A copy, like the schema's output: the caller may keep it while the parsed value is reused.
  return { t: 'send', ref, to: to.slice() as string[], text };
}

/** A client's message as the relay decodes it: plain sends from their bytes when they are the
 *  project's own encoding (plainSendScan.ts), else by hand after JSON.parse, everything else by
 *  schema. */
export function decodeClientMessageFast(payload: Buffer): ClientMessage {
  return scanPlainSend(payload) ?? decodeClientMessage(payload, fastSend);
}
