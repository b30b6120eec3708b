import type { ComposerState, ConnectionView, ConversationSummary, ConversationView, MessageView, ToWebview } from '../../src/views/chatProtocol';

/** Sample conversations for the webview tests, timed around today's noon (UTC, as the page). */

const now = new Date();
export const NOON = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12, 0);
export const MIN = 60_000;

export const SELF = { clientId: 'me-0001', name: 'alice' };
export const CONNECTED: ConnectionView = { state: 'connected', text: 'Connected to chat.example:9999 · 3 online' };
export const SEND: ComposerState = { mode: 'send', note: '' };

export const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1">',
  script: '<script>window.__pwned=1</script>',
  js: 'javascript:alert(1)',
  css: '</style><style>body{display:none}</style>',
};

export function summary(id: string, title: string, kind: ConversationSummary['kind'], extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return { id, title, kind, online: false, unread: 0, lastText: '', lastActivity: NOON, ...extra };
}

export const CONVERSATIONS: ConversationSummary[] = [
  summary('all', '#general', 'channel', { lastText: 'carol: deploy is green', lastActivity: NOON - 30 * MIN }),
  summary('peer:bob', 'bob', 'peer', { online: true, unread: 2, lastText: 'can you look at the retry logic?' }),
  summary('peer:carol', 'carol', 'peer', { lastText: 'see you tomorrow', lastActivity: NOON - 26 * 60 * MIN }),
  summary('group:bob,carol', 'bob, carol', 'group', { online: true, lastText: 'bob: standup in 5', lastActivity: NOON - 90 * MIN }),
  summary('peer:dave', 'dave', 'peer', { online: true, unread: 12 }),
];

export function peerMessage(id: string, text: string, ts: number, from = 'bob-0002', fromName = 'bob'): MessageView {
  return { id, from, fromName, text, ts, own: false, state: 'delivered' };
}

export function ownMessage(id: string, text: string, ts: number, state: MessageView['state'], extra: Partial<MessageView> = {}): MessageView {
  return { id, ref: id.replace(/^local:/, ''), from: SELF.clientId, fromName: SELF.name, text, ts, own: true, state, ...extra };
}

export const BOB_MESSAGES: MessageView[] = [
  peerMessage('m1', 'morning! did the relay restart go ok?', NOON - 24 * 60 * MIN),
  ownMessage('m2', 'yes, all good', NOON - 24 * 60 * MIN + 3 * MIN, 'delivered'),
  peerMessage('m3', 'found a weird one in the reconnect path', NOON - 12 * MIN),
  {
    ...peerMessage(
      'm4',
      'const delay = backoff.next();\nif (delay > this.maxDelayMs) {\n  return this.fail(new Error(`gave up after ${attempt} tries`));\n}',
      NOON - 11 * MIN,
    ),
    code: { path: 'src/net/backoff.ts', startLine: 42, endLine: 45, language: 'typescript' },
  },
  peerMessage('m5', 'can you look at the retry logic?\nit never resets the attempt counter', NOON - 10 * MIN),
  ownMessage('m6', 'looking now', NOON - 4 * MIN, 'delivered'),
  ownMessage('m7', 'pushed a fix to fix/backoff-reset', NOON - 3 * MIN, 'sent'),
  ownMessage('local:r8', 'and a test for it', NOON - 2 * MIN, 'pending'),
  ownMessage('local:r9', 'carol, can you review?', NOON - MIN, 'failed', { error: 'carol is not online' }),
];

export function bobView(extra: Partial<ConversationView> = {}): ConversationView {
  return { id: 'peer:bob', title: 'bob', kind: 'peer', memberNames: ['bob'], messages: BOB_MESSAGES, hasOlder: false, cards: [], ...extra };
}

export function init(extra: Partial<Extract<ToWebview, { type: 'init' }>> = {}): ToWebview {
  return { type: 'init', self: SELF, connection: CONNECTED, conversations: CONVERSATIONS, selected: bobView(), composer: SEND, ...extra };
}

/** Many short messages, to have something to scroll. */
export function manyMessages(count: number, start = NOON - count * MIN): MessageView[] {
  return Array.from({ length: count }, (_, i) =>
    i % 3 === 0 ? ownMessage(`s${i}`, `line ${i}`, start + i * 6 * MIN, 'delivered') : peerMessage(`s${i}`, `line ${i} from bob`, start + i * 6 * MIN),
  );
}

export const CAROL = { from: 'carol-0003', fromName: 'carol' };

/** #deploys: a channel with a topic, reactions, a thread, an edit and a deleted message. */
export const DEPLOYS_MESSAGES: MessageView[] = [
  { ...peerMessage('d1', 'deploying 4.2 to staging now', NOON - 40 * MIN, CAROL.from, CAROL.fromName), seq: 101 },
  {
    ...peerMessage('d2', 'staging is green, going to prod at 12', NOON - 30 * MIN),
    seq: 102,
    reactions: [
      { emoji: '👍', count: 2, names: ['carol', 'dave'], mine: false },
      { emoji: '🎉', count: 1, names: ['you'], mine: true },
    ],
    replies: { count: 2, lastTs: NOON - 20 * MIN, names: ['carol', 'alice'] },
  },
  { ...ownMessage('d3', 'I will watch the dashboards', NOON - 25 * MIN, 'delivered'), seq: 103, edited: NOON - 24 * MIN },
  { ...peerMessage('d4', '', NOON - 22 * MIN, CAROL.from, CAROL.fromName), seq: 104, deleted: true },
  { ...peerMessage('d5', 'prod rollout started', NOON - 5 * MIN), seq: 105 },
  { ...ownMessage('d6', 'all dashboards look fine', NOON - 2 * MIN, 'delivered'), seq: 106 },
];

export const DEPLOYS_REPLIES: MessageView[] = [
  { ...peerMessage('r1', 'which region first?', NOON - 28 * MIN, CAROL.from, CAROL.fromName), seq: 110, thread: 'd2' },
  { ...ownMessage('r2', 'eu-west, then the rest', NOON - 20 * MIN, 'delivered'), seq: 111, thread: 'd2' },
];

export const CHANNELS: ConversationSummary[] = [
  summary('all', '#general', 'channel', { lastText: 'carol: deploy is green', lastActivity: NOON - 30 * MIN }),
  summary('channel:deploys', '#deploys', 'channel', { unread: 3, mentions: 1, lastText: 'bob: prod rollout started' }),
  summary('channel:secret', '#secret', 'channel', { private: true }),
  summary('peer:bob', 'bob', 'peer', { online: true, lastText: 'can you look at the retry logic?' }),
  summary('group:bob,carol', 'bob, carol', 'group', { lastText: 'bob: standup in 5', lastActivity: NOON - 90 * MIN }),
];

export function deploysView(extra: Partial<ConversationView> = {}): ConversationView {
  return {
    id: 'channel:deploys',
    title: '#deploys',
    kind: 'channel',
    topic: 'Releases and rollbacks — ask here before deploying',
    memberCount: 4,
    memberNames: ['alice', 'bob', 'carol', 'dave'],
    messages: DEPLOYS_MESSAGES,
    hasOlder: false,
    cards: [],
    ...extra,
  };
}
