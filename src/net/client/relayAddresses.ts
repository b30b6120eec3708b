/** Where a relay (or a cluster of relays) listens. */
export interface RelayAddress {
  host: string;
  port: number;
}

/**
 * The addresses a client may reach its team at: the first given, then the alternates (the other
 * relays of a cluster, or the other addresses of one relay). A connection lost or refused moves
 * on to the next address at once; only a whole round without a welcome waits for the backoff,
 * so the clients of a relay that died are on another within a moment, and a team whose every
 * relay is down is not hammered.
 */
export class RelayAddresses {
  private readonly all: RelayAddress[];
  private index = 0;
  /** Where the current round started: the address that last let us in (the first at the start). */
  private roundStart = 0;

  constructor(first: RelayAddress, alternates: readonly RelayAddress[] = []) {
    const seen = new Set<string>();
    this.all = [first, ...alternates].filter((a) => {
      const key = `${a.host}\n${a.port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  get current(): RelayAddress {
    return this.all[this.index]!;
  }

  get count(): number {
    return this.all.length;
  }

  /** The current address let us in: the next round of trying starts from it. */
  welcomed(): void {
    this.roundStart = this.index;
  }

  /** On to the next address; true when that completes a round (time to back off). */
  moveOn(): boolean {
    this.index = (this.index + 1) % this.all.length;
    return this.index === this.roundStart;
  }
}
