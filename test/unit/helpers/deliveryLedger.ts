/**
 * Which fleet member must receive which message, and the exactly-once check against what they
 * did receive. Messages are told apart by text, unique per message. A message is recorded before
 * it is sent, so no delivery can arrive before the ledger expects it.
 */
import type { Fleet, FleetMember } from './fleet';

export interface LedgerCheck {
  /** (member, message) deliveries checked: each expected one arrived exactly once. */
  checked: number;
  /** What went wrong, one line each (empty when all is well). */
  problems: string[];
}

export class DeliveryLedger {
  /** Text -> the indexes of the members that must receive it. */
  private readonly expected = new Map<string, ReadonlySet<number>>();
  /** Expected deliveries that have not arrived yet. */
  outstanding = 0;

  constructor(private readonly fleet: Fleet) {
    fleet.on('message', (member: FleetMember, text: string) => {
      if (this.expected.get(text)?.has(member.index) && member.received.get(text) === 1) this.outstanding--;
    });
  }

  /** Expects `text` at `to` (member indexes), or at everyone but its sender for 'all'. */
  expect(text: string, from: number, to: readonly number[] | 'all'): void {
    if (this.expected.has(text)) throw new Error(`message text used twice: ${text}`);
    const receivers = new Set(to === 'all' ? this.fleet.members.map((m) => m.index) : to);
    receivers.delete(from); // the relay sends nobody their own message
    this.expected.set(text, receivers);
    this.outstanding += receivers.size;
  }

  get messages(): number {
    return this.expected.size;
  }

  /** Every member received each message meant for it exactly once, and nothing else. */
  check(): LedgerCheck {
    const problems: string[] = [];
    let checked = 0;
    for (const member of this.fleet.members) {
      for (const [text, receivers] of this.expected) {
        if (!receivers.has(member.index)) continue;
        const got = member.received.get(text) ?? 0;
        if (got === 1) checked++;
        else problems.push(`member ${member.index} received "${text}" ${got} times`);
      }
      for (const text of member.received.keys()) {
        if (!this.expected.get(text)?.has(member.index)) problems.push(`member ${member.index} received "${text}", not meant for it`);
      }
    }
    return { checked, problems };
  }
}
