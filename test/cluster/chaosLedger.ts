// The chaos test's books: every numbered message sent, its ack, and who must receive it; then what
// each recipient really received (raw, duplicates included), checked message by message.
import type { Targets } from '../../src/net/protocol/messages';
import type { ChaosClient } from './chaosClients';

export type SendKind = 'direct' | 'channel' | 'broadcast';

export interface SentMessage {
  text: string;
  kind: SendKind;
  sender: number;
  recipients: number[];
  /** What the scenario was doing when it was sent (e.g. "after relay kill"). */
  phase: string;
  sentAt: number;
  ack?: { seq: number; at: number };
  /** The error code a send ended with instead of an ack. */
  error?: string;
}

export interface Violation {
  what: 'missing' | 'duplicate' | 'wrong seq' | 'seq not increasing' | 'never settled';
  detail: string;
  phase: string;
  kind?: SendKind;
}

export class ChaosLedger {
  readonly sent: SentMessage[] = [];
  phase = 'steady';
  private outstanding = 0;

  constructor(private readonly clients: ChaosClient[]) {}

  /** Sends a numbered message; its text names it uniquely so deliveries can be matched. */
  send(sender: number, kind: SendKind, to: Targets, recipients: number[]): void {
    const message: SentMessage = { text: `chaos ${sender}#${this.sent.length}`, kind, sender, recipients, phase: this.phase, sentAt: Date.now() };
    this.sent.push(message);
    this.outstanding++;
    this.clients[sender].client.send(to, message.text).then(
      (ack) => {
        message.ack = { seq: ack.seq, at: Date.now() };
        this.outstanding--;
      },
      (err: { code?: string; message?: string }) => {
        message.error = err.code ?? err.message ?? String(err);
        this.outstanding--;
      },
    );
  }

  get unsettled(): number {
    return this.outstanding;
  }

  /**
   * The sends still waiting, grouped by phase, sender's relay and client state and whether the
   * client's outbox holds them queued or written: where a stuck send is stuck.
   */
  unsettledSummary(): string {
    const groups = new Map<string, number>();
    for (const m of this.sent) {
      if (m.ack || m.error !== undefined) continue;
      const sender = this.clients[m.sender];
      const pending = sender.client.pending.find((p) => p.text === m.text);
      const key = `${m.kind} sent ${m.phase}, sender on relay ${sender.relay} ${sender.client.state}, outbox: ${pending?.state ?? 'not there'}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    return [...groups].map(([key, n]) => `${n} × ${key}`).join('; ');
  }

  /** The longest wait for an ack, by phase (ms). */
  slowestAcks(): Record<string, number> {
    const slowest: Record<string, number> = {};
    for (const m of this.sent) if (m.ack) slowest[m.phase] = Math.max(slowest[m.phase] ?? 0, m.ack.at - m.sentAt);
    return slowest;
  }

  get acked(): SentMessage[] {
    return this.sent.filter((m) => m.ack);
  }

  /** Whether every recipient of every acked message has at least one delivery of it. */
  allDelivered(): boolean {
    const byClient = this.clients.map((c) => new Set(c.deliveries.map((d) => d.text)));
    return this.acked.every((m) => m.recipients.every((r) => byClient[r].has(m.text)));
  }

  /**
   * Every acked message reached each recipient exactly once, with the seq its sender was acked
   * with, and each client's seqs strictly increase; sends that never settled are listed too.
   */
  violations(): Violation[] {
    const found: Violation[] = [];
    const received = this.clients.map((c) => {
      const byText = new Map<string, number[]>();
      for (const d of c.deliveries) {
        const seqs = byText.get(d.text) ?? [];
        seqs.push(d.seq);
        byText.set(d.text, seqs);
      }
      return byText;
    });
    for (const m of this.sent) {
      if (!m.ack) {
        if (m.error === undefined) found.push({ what: 'never settled', detail: m.text, phase: m.phase, kind: m.kind });
        continue;
      }
      for (const r of m.recipients) {
        const seqs = received[r].get(m.text) ?? [];
        const where = `${m.text} (seq ${m.ack.seq}) to c${r} on relay ${this.clients[r].relay}`;
        if (seqs.length === 0) found.push({ what: 'missing', detail: where, phase: m.phase, kind: m.kind });
        else if (seqs.length > 1) found.push({ what: 'duplicate', detail: `${where} ×${seqs.length}`, phase: m.phase, kind: m.kind });
        else if (seqs[0] !== m.ack.seq) found.push({ what: 'wrong seq', detail: `${where} came as seq ${seqs[0]}`, phase: m.phase, kind: m.kind });
      }
    }
    for (const c of this.clients) {
      const seqs = c.deliveries.map((d) => d.seq);
      for (let i = 1; i < seqs.length; i++) {
        if (seqs[i] <= seqs[i - 1]) {
          found.push({ what: 'seq not increasing', detail: `c${c.index} got seq ${seqs[i]} after ${seqs[i - 1]}`, phase: '' });
          break;
        }
      }
    }
    return found;
  }

  /** Counts by kind of violation, phase and message kind, with a few examples each: what a failure says. */
  static summary(violations: Violation[], examples = 3): string {
    const groups = new Map<string, Violation[]>();
    for (const v of violations) {
      const key = `${v.what} [${v.kind ?? '-'} sent ${v.phase || '-'}]`;
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    return [...groups]
      .map(
        ([key, list]) =>
          `${list.length} × ${key}: ${list
            .slice(0, examples)
            .map((v) => v.detail)
            .join('; ')}`,
      )
      .join('\n');
  }

  /** Sends by outcome, for the test's report line. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = { sent: this.sent.length, acked: 0 };
    for (const m of this.sent) {
      if (m.ack) counts.acked++;
      else if (m.error) counts[`error ${m.error}`] = (counts[`error ${m.error}`] ?? 0) + 1;
    }
    counts.deliveries = this.clients.reduce((n, c) => n + c.deliveries.length, 0);
    return counts;
  }
}
