// The chaos test's load: numbered direct, channel and broadcast messages from random people at a
// steady rate, whatever state their connection is in (a disconnected client's outbox keeps them).
import type { ChaosClient } from './chaosClients';
import type { ChaosLedger } from './chaosLedger';

export interface TrafficMix {
  /** Messages a second, all clients together. */
  rate: number;
  /** Share of broadcasts (#general: everyone receives) and of channel messages; the rest are direct. */
  broadcastShare: number;
  channelShare: number;
}

/** A small seeded generator (mulberry32): a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ChaosTraffic {
  private timer: NodeJS.Timeout | undefined;
  private owed = 0;

  constructor(
    private readonly clients: ChaosClient[],
    private readonly ledger: ChaosLedger,
    private readonly mix: TrafficMix,
    private readonly random: () => number,
    /** The channel's target and its members (indexes), when channel messages are part of the mix. */
    private readonly channel?: { target: string; members: number[] },
  ) {}

  start(tickMs = 20): void {
    this.timer = setInterval(() => {
      this.owed += (this.mix.rate * tickMs) / 1000;
      for (; this.owed >= 1; this.owed--) this.sendOne();
    }, tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sendOne(): void {
    const n = this.clients.length;
    const roll = this.random();
    if (roll < this.mix.broadcastShare) {
      const sender = this.pick(n);
      this.ledger.send(sender, 'broadcast', 'all', everyoneBut(n, sender));
    } else if (this.channel && roll < this.mix.broadcastShare + this.mix.channelShare) {
      const members = this.channel.members;
      const sender = members[this.pick(members.length)];
      this.ledger.send(
        sender,
        'channel',
        this.channel.target,
        members.filter((m) => m !== sender),
      );
    } else {
      const sender = this.pick(n);
      const recipient = (sender + 1 + this.pick(n - 1)) % n;
      this.ledger.send(sender, 'direct', [this.clients[recipient].clientId], [recipient]);
    }
  }

  private pick(n: number): number {
    return Math.floor(this.random() * n);
  }
}

function everyoneBut(n: number, sender: number): number[] {
  const all: number[] = [];
  for (let i = 0; i < n; i++) if (i !== sender) all.push(i);
  return all;
}
