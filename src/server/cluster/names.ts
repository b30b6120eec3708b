/**
 * The names every relay of a cluster agrees on in the NATS engine: one chat stream, the presence
 * subjects and bucket. Changing one splits a running cluster in two, so they live here only.
 */

/** The replicated stream that is the cluster's one ordered chat log. */
export const CHAT_STREAM = 'TM_CHAT';
/** The subject chat messages are published on (the stream's only subject). */
export const CHAT_SUBJECT = 'tm.chat';

/** KV bucket holding each relay's presence snapshot (key = relayId). */
export const PRESENCE_BUCKET = 'tm_presence';

/** Join/leave/status events of one relay's sessions (core NATS, not stored). */
export function presenceSubject(relayId: string): string {
  return `tm.presence.${relayId}`;
}

/** A relay's heartbeat: missing ones mean the relay is dead. */
export function heartbeatSubject(relayId: string): string {
  return `tm.hb.${relayId}`;
}

/** Asks the owning relay to close an identity's old session (duplicate identity across relays). */
export function kickSubject(relayId: string): string {
  return `tm.kick.${relayId}`;
}

/** The stream's dedup id of a chat message: a resend of the same ref after a failover is stored once. */
export function chatMessageId(clientId: string, ref: string): string {
  return `${clientId}:${ref}`;
}
