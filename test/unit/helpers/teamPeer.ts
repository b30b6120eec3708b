/**
 * A team member on a raw connection (loopback.ts's RawClient) that speaks the conversation
 * requests frame by frame: channel requests, edits, reactions, reads, history pages, searches.
 * Tests of the relay use it so they depend on the wire protocol only, not on the client.
 */
import { Identity, generateIdentity } from '../../../src/net/identity';
import type { ClientMessage, RelayMessage, Send, Targets, Welcome } from '../../../src/net/protocol/messages';
import type { Relay } from '../../../src/server/relay';
import { Cleanup, RawClient, startRelay, tempDir, TestRelayOptions } from './loopback';

type Message<T extends RelayMessage['t']> = Extract<RelayMessage, { t: T }>;
type RequestType =
  | 'channel-create'
  | 'channel-join'
  | 'channel-leave'
  | 'channel-add'
  | 'channel-update'
  | 'channel-list'
  | 'edit'
  | 'delete'
  | 'react'
  | 'history'
  | 'search'
  | 'file-request';
type Request = Extract<ClientMessage, { t: RequestType }>;
/** A request as a test writes it: everything but its number. */
type Ask = Request extends infer R ? (R extends Request ? Omit<R, 'n'> : never) : never;

/** What a request was answered with: by type, or the relay's refusal. */
export type Answer = Message<'channel-result' | 'channel-list-result' | 'done' | 'history-result' | 'search-result' | 'error'>;

export interface TeamPeerOptions {
  name: string;
  identity?: Identity;
  resume?: { epoch: string; seq: number };
}

let nextRef = 0;

export class TeamPeer {
  private nextN = 1;

  private constructor(
    readonly raw: RawClient,
    readonly identity: Identity,
    readonly name: string,
    readonly welcome: Welcome,
  ) {}

  /** Connects and logs in; resolves once the team state that follows the welcome is here. */
  static async connect(cleanup: Cleanup, port: number, options: TeamPeerOptions): Promise<TeamPeer> {
    const raw = await RawClient.connect(cleanup, port);
    raw.answerPings = true;
    const identity = options.identity ?? generateIdentity();
    const welcome = await raw.handshake({ identity, name: options.name, resume: options.resume });
    const peer = new TeamPeer(raw, identity, options.name, welcome);
    await peer.next('team-state', () => true, 0);
    return peer;
  }

  get clientId(): string {
    return this.identity.clientId;
  }

  get messages(): readonly RelayMessage[] {
    return this.raw.messages;
  }

  /** Where the messages received so far end: wait for what comes after it. */
  mark(): number {
    return this.raw.messages.length;
  }

  /** The first message of type `t` from index `from` on that passes `accept` (waits for it). */
  next<T extends RelayMessage['t']>(t: T, accept: (m: Message<T>) => boolean = () => true, from = 0, label = `"${t}"`): Promise<Message<T>> {
    const messages = this.raw.messages;
    return this.raw.waitFor<Message<T>>((m) => m.t === t && accept(m as Message<T>) && messages.indexOf(m) >= from, `${this.name}: ${label}`);
  }

  /** Every message of type `t` received so far (from index `from`). */
  all<T extends RelayMessage['t']>(t: T, from = 0): Message<T>[] {
    return this.raw.messages.slice(from).filter((m): m is Message<T> => m.t === t);
  }

  /** Sends a request and resolves with its answer or refusal. */
  ask(request: Ask): Promise<Answer> {
    const n = this.nextN++;
    this.raw.send({ ...request, n } as Request);
    return this.waitForAnswer(n);
  }

  /** Like ask(), but a refusal fails the test with the relay's words. */
  async must<T extends Answer['t']>(t: T, request: Ask): Promise<Message<T>> {
    const answer = await this.ask(request);
    if (answer.t !== t) throw new Error(`${this.name}: ${request.t} answered ${JSON.stringify(answer)}, not "${t}"`);
    return answer as Message<T>;
  }

  /** Like ask(), expecting a refusal with `code`; resolves with its text. */
  async refused(code: string, request: Ask): Promise<string> {
    const answer = await this.ask(request);
    if (answer.t !== 'error' || answer.code !== code) throw new Error(`${this.name}: ${request.t} answered ${JSON.stringify(answer)}, not a ${code} refusal`);
    return answer.message;
  }

  /** Sends and fails the test unless it is acknowledged. */
  async sent(to: Targets, text: string, thread?: string): Promise<Message<'ack'>> {
    const answer = await this.sendEither(to, text, thread);
    if (answer.t !== 'ack') throw new Error(`${this.name}: "${text}" refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Sends and resolves with whichever comes first: the ack or the refusal. */
  sendEither(to: Targets, text: string, thread?: string): Promise<Message<'ack' | 'error'>> {
    const ref = `ref-${++nextRef}`;
    this.raw.send({ t: 'send', ref, to, text, ...(thread !== undefined ? { thread } : {}) });
    return this.raw.waitFor((m) => (m.t === 'ack' || m.t === 'error') && m.ref === ref, `${this.name}: ack or refusal of "${text}"`);
  }

  /** Sends with any of a send's fields (mentions, urgent, attachments…); the ack or the refusal. */
  sendWith(to: Targets, text: string, fields: Partial<Omit<Send, 't' | 'ref' | 'to' | 'text'>>): Promise<Message<'ack' | 'error'>> {
    const ref = `ref-${++nextRef}`;
    this.raw.send({ t: 'send', ref, to, text, ...fields });
    return this.raw.waitFor((m) => (m.t === 'ack' || m.t === 'error') && m.ref === ref, `${this.name}: ack or refusal of "${text}"`);
  }

  /** Marks `conv` read up to `seq` (never answered). */
  read(conv: string, seq: number, receipt?: boolean): void {
    this.raw.send({ t: 'read', conv, seq, ...(receipt !== undefined ? { receipt } : {}) });
  }

  /** Everything the relay had to send this connection before now has arrived. */
  async settle(): Promise<void> {
    await this.raw.roundTrip(1_000_000 + this.nextN++);
  }

  /** Chat messages received with this text. */
  received(text: string): Message<'message'>[] {
    return this.all('message').filter((m) => m.text === text);
  }

  async close(): Promise<void> {
    this.raw.send({ t: 'bye' });
    await this.raw.waitClosed();
  }

  private waitForAnswer(n: number): Promise<Answer> {
    const ref = `req-${n}`;
    return this.raw.waitFor<Answer>(
      (m) =>
        (m.t === 'error' && m.ref === ref) ||
        ((m.t === 'channel-result' || m.t === 'channel-list-result' || m.t === 'done' || m.t === 'history-result' || m.t === 'search-result') && m.n === n),
      `${this.name}: the answer to request ${n}`,
    );
  }
}

/** A relay on loopback and one TeamPeer per name (each known to the relay once it is welcomed). */
export async function startTeam(cleanup: Cleanup, names: string[], options: TestRelayOptions = {}): Promise<{ relay: Relay; port: number; peers: TeamPeer[] }> {
  const relay = await startRelay(cleanup, options);
  const port = relay.address().port;
  const peers: TeamPeer[] = [];
  for (const name of names) peers.push(await TeamPeer.connect(cleanup, port, { name }));
  return { relay, port, peers };
}

/**
 * How a stored message's extra fields are checked everywhere it goes: alice on two connections
 * (her other machine sees what she sends live), and bob, who got alice's direct message "before"
 * and then left. `bobReturns()` connects him again resuming after "before", so what she sent while
 * he was away comes to him as a replay.
 */
export async function startTeamBobAway(cleanup: Cleanup): Promise<{ alice: TeamPeer; alice2: TeamPeer; bob: TeamPeer; bobReturns: () => Promise<TeamPeer> }> {
  const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
  const [alice, bob] = peers as [TeamPeer, TeamPeer];
  const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
  const before = await alice.sent([bob.clientId], 'before');
  await bob.next('message', (m) => m.id === before.id);
  const resume = { epoch: bob.welcome.epoch, seq: before.seq };
  await bob.close();
  return { alice, alice2, bob, bobReturns: () => TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity, resume }) };
}

/**
 * Whether what alice and bob leave in #general outlives the relay: `send` runs with both on a relay
 * with a history folder, then they leave and it stops; a new relay on that folder and port
 * welcomes bob (same identity) back. Resolves with his new connection.
 */
export async function bobAfterRestart(cleanup: Cleanup, send: (alice: TeamPeer, bob: TeamPeer) => Promise<void>): Promise<TeamPeer> {
  const dir = tempDir(cleanup);
  const first = await startRelay(cleanup, { historyDir: dir });
  const port = first.address().port;
  const alice = await TeamPeer.connect(cleanup, port, { name: 'alice' });
  const bob = await TeamPeer.connect(cleanup, port, { name: 'bob' });
  await send(alice, bob);
  await alice.close();
  await bob.close();
  await first.stop();
  await startRelay(cleanup, { historyDir: dir, port });
  return TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity });
}
