/**
 * Thousands of real TeamClients in one test process, for storm tests. Each member keeps only
 * counts (messages by text, welcomes, disconnects): TestClient records every event, which for
 * thousands of clients in full presence is millions of roster objects nobody looks at.
 */
import { EventEmitter } from 'node:events';
import { generateIdentity } from '../../../src/net/identity';
import { silentLogger } from '../../../src/net/logger';
import { ClientOptions, TeamClient } from '../../../src/net/client/teamClient';
import { Cleanup, HOST, SECRET } from './loopback';

export interface FleetMember {
  readonly index: number;
  readonly client: TeamClient;
  /** Chat messages received, by text (more than 1 is a duplicate). */
  readonly received: Map<string, number>;
  welcomes: number;
  disconnects: number;
  /** Of the messages received, those the relay replayed from history. */
  replayed: number;
}

export type FleetOptions = Partial<Omit<ClientOptions, 'host' | 'port' | 'name' | 'identity' | 'tls' | 'secret' | 'logger'>>;

/** Members and their counts; emits 'welcome' (member) and 'message' (member, text). */
export class Fleet extends EventEmitter {
  readonly members: FleetMember[] = [];
  /** Chat messages received by all members (duplicates included). */
  messages = 0;
  /** Why connections ended, all members together: error code -> count. */
  readonly disconnectCodes = new Map<string, number>();
  /** Members welcomed again since `mark()` (back after a restart), counted as they come. */
  back = 0;
  /** Each member's welcomes at `mark()`. */
  private marked: number[] | undefined;

  constructor(cleanup: Cleanup, port: number, size: number, options: FleetOptions) {
    super();
    this.setMaxListeners(0);
    for (let index = 0; index < size; index++) {
      const client = new TeamClient({
        host: HOST,
        port,
        name: `storm-${index}`,
        machine: 'storm-machine',
        identity: generateIdentity(),
        secret: SECRET,
        tls: false,
        logger: silentLogger,
        ...options,
      });
      const member: FleetMember = { index, client, received: new Map(), welcomes: 0, disconnects: 0, replayed: 0 };
      client.on('welcome', () => {
        member.welcomes++;
        if (this.marked && member.welcomes === this.marked[index] + 1) this.back++;
        this.emit('welcome', member);
      });
      client.on('disconnected', (error) => {
        member.disconnects++;
        this.disconnectCodes.set(error.code, (this.disconnectCodes.get(error.code) ?? 0) + 1);
      });
      client.on('message', (m) => {
        member.received.set(m.text, (member.received.get(m.text) ?? 0) + 1);
        if (m.replay) member.replayed++;
        this.messages++;
        this.emit('message', member, m.text);
      });
      this.members.push(member);
    }
    // Closed together: one at a time would wait for 2,000 byes in turn.
    cleanup.add('fleet', () => Promise.all(this.members.map((m) => m.client.close())));
  }

  /** Connects every member, at most `inFlight` at once; resolves when all have their first welcome. */
  async connectAll(inFlight = this.members.length): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < this.members.length) await this.members[next++].client.connect();
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, this.members.length) }, lane));
  }

  /** From now on, counts who is welcomed again (see `back`, `isBack`). */
  mark(): void {
    this.marked = this.members.map((m) => m.welcomes);
    this.back = 0;
  }

  /** Welcomed again since `mark()`. */
  isBack(member: FleetMember): boolean {
    return this.marked !== undefined && member.welcomes > this.marked[member.index];
  }

  sum(of: (m: FleetMember) => number): number {
    return this.members.reduce((total, m) => total + of(m), 0);
  }
}
