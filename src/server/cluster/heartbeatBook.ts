/**
 * When each other relay of the cluster was last heard from, and which of them have gone quiet
 * for too long. Pure bookkeeping over a clock it is given, so a fake clock can test it.
 */
export class HeartbeatBook {
  private readonly lastHeard = new Map<string, number>();

  constructor(private readonly deadAfterMs: number) {}

  /** A heartbeat (or any sign of life, such as a snapshot read at start) from `relayId`. */
  heard(relayId: string, now: number): void {
    this.lastHeard.set(relayId, now);
  }

  /** The relay is gone (said goodbye, or was declared dead): no longer watched. */
  forget(relayId: string): void {
    this.lastHeard.delete(relayId);
  }

  has(relayId: string): boolean {
    return this.lastHeard.has(relayId);
  }

  /** The relays silent for longer than the limit, forgotten as they are returned. */
  takeDead(now: number): string[] {
    const dead: string[] = [];
    for (const [relayId, at] of this.lastHeard) if (now - at > this.deadAfterMs) dead.push(relayId);
    for (const relayId of dead) this.lastHeard.delete(relayId);
    return dead;
  }

  /** Everyone counts as just heard: after this relay's own link to the engine was down, their
   *  silence was ours, not theirs. */
  pardonAll(now: number): void {
    for (const relayId of this.lastHeard.keys()) this.lastHeard.set(relayId, now);
  }
}
