/**
 * Where the team store keeps what in the `tm_team` KV bucket. NATS keys allow only
 * [-/_=.a-zA-Z0-9] with dots between tokens, and ids and conversation keys hold other
 * characters ('@', ',', '#'): every id is one base64url token.
 */

export const TEAM_BUCKET = 'tm_team';

export type TeamKey =
  | { kind: 'channel'; id: string }
  | { kind: 'member'; id: string; clientId: string }
  | { kind: 'name'; name: string }
  | { kind: 'read'; clientId: string; conv: string }
  | { kind: 'receipts'; clientId: string }
  | { kind: 'state'; seq: number };

/** A channel's name, topic and flags; its members are keys of their own (memberKey). */
export const channelKey = (id: string): string => `ch.${token(id)}`;
/** One member of a channel, present while they are one: a join writes one small key, however
 *  many members the channel has, and two relays adding two people never touch the same key. */
export const memberKey = (id: string, clientId: string): string => `chm.${token(id)}.${token(clientId)}`;
/** A live (not archived) channel's name, claimed with a create so two relays cannot both take it. */
export const nameKey = (name: string): string => `name.${token(name)}`;
export const readKey = (clientId: string, conv: string): string => `read.${token(clientId)}.${token(conv)}`;
export const receiptsKey = (clientId: string): string => `receipts.${token(clientId)}`;
export const stateKey = (seq: number): string => `msg.${seq}`;

/** What a key of the bucket names; undefined for a key this version does not know. */
export function parseTeamKey(key: string): TeamKey | undefined {
  const [kind, ...rest] = key.split('.');
  if (kind === 'msg') return rest.length === 1 && /^[0-9]{1,15}$/.test(rest[0]) ? { kind: 'state', seq: Number(rest[0]) } : undefined;
  const ids = rest.map(untoken);
  if (ids.some((id) => id.length === 0)) return undefined;
  if (kind === 'ch' && ids.length === 1) return { kind: 'channel', id: ids[0] };
  if (kind === 'chm' && ids.length === 2) return { kind: 'member', id: ids[0], clientId: ids[1] };
  if (kind === 'name' && ids.length === 1) return { kind: 'name', name: ids[0] };
  if (kind === 'read' && ids.length === 2) return { kind: 'read', clientId: ids[0], conv: ids[1] };
  if (kind === 'receipts' && ids.length === 1) return { kind: 'receipts', clientId: ids[0] };
  return undefined;
}

function token(value: string): string {
  // An empty token would make two dots in a row, which NATS refuses: ids are never empty.
  if (value.length === 0) throw new Error('an empty id has no key');
  return Buffer.from(value, 'utf8').toString('base64url');
}

function untoken(value: string): string {
  return /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
}
