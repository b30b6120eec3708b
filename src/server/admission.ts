/**
 * Who may connect, and how fast. Connections still logging in (TLS, then hello) are the scarce
 * thing, as OpenSSH's MaxStartups treats them: they have caps of their own, in total and per
 * address, and when one is reached the oldest of them makes room, so junk that holds sockets
 * never locks out an honest client that logs in within milliseconds. Authenticated connections
 * have a much larger cap per address, since a whole office may share one NAT address. An
 * address that keeps failing authentication is locked out for a while. Each check answers with
 * the reason for a refusal, which the relay logs.
 */
export interface AdmissionLimits {
  /** Connections of every kind together. */
  maxConnections: number;
  /** Authenticated connections from one address. */
  maxConnectionsPerAddress: number;
  /** Connections still logging in, in total… */
  maxStartups: number;
  /** …and from one address. */
  maxStartupsPerAddress: number;
  /** A connection still logging in is evicted to make room only once it is this old (ms); while
   *  the oldest is younger, logins are progressing (a storm of honest reconnects), and the
   *  newcomer is refused instead, to come back after its backoff. */
  evictAfterMs: number;
  /** Failed authentications from one address within `authWindowMs` that lock it out… */
  maxAuthFailures: number;
  authWindowMs: number;
  /** …for this long. */
  authLockoutMs: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxConnections: 20_000,
  maxConnectionsPerAddress: 4_096,
  maxStartups: 1_024,
  maxStartupsPerAddress: 128,
  evictAfterMs: 100,
  maxAuthFailures: 10,
  authWindowMs: 60_000,
  authLockoutMs: 60_000,
};

/** One admitted connection's place: logging in, then authenticated, until released. */
export class Ticket {
  state: 'starting' | 'authenticated' | 'released' = 'starting';

  constructor(
    readonly address: string,
    readonly since: number,
    /** Closes the connection to make room for a newer one (the reason is for the log). */
    readonly evict: (reason: string, ageMs: number) => void,
  ) {}
}

interface AuthRecord {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export class Admission {
  /** Connections logging in, oldest first (a Set keeps insertion order). */
  private readonly starting = new Set<Ticket>();
  private readonly startingByAddress = new Map<string, Set<Ticket>>();
  private readonly authenticatedByAddress = new Map<string, number>();
  private authenticatedTotal = 0;
  private readonly auth = new Map<string, AuthRecord>();
  /** Connections closed to make room, since the start. */
  evictions = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  get connections(): number {
    return this.starting.size + this.authenticatedTotal;
  }

  get startingCount(): number {
    return this.starting.size;
  }

  /**
   * A ticket when the connection may proceed (counted as logging in until `authenticated` or
   * `release`), else why not. May evict older connections still logging in to make room.
   */
  admit(address: string, evict: Ticket['evict'], now = Date.now()): Ticket | string {
    const record = this.auth.get(address);
    if (record && record.lockedUntil > now) return `too many failed logins from ${address}; locked out for ${Math.ceil((record.lockedUntil - now) / 1000)} s`;
    if (this.connections >= this.limits.maxConnections && !this.makeRoom(this.starting, now, 'the relay is full')) {
      return `the relay is full (${this.limits.maxConnections} connections)`;
    }
    let mine = this.startingByAddress.get(address);
    if (mine && mine.size >= this.limits.maxStartupsPerAddress && !this.makeRoom(mine, now, `${mine.size} connections from ${address} still logging in`)) {
      return `too many connections from ${address} still logging in (${mine.size})`;
    }
    if (this.starting.size >= this.limits.maxStartups && !this.makeRoom(this.starting, now, `${this.starting.size} connections still logging in`)) {
      return `too many connections still logging in (${this.starting.size})`;
    }
    const ticket = new Ticket(address, now, evict);
    this.starting.add(ticket);
    if (!mine) this.startingByAddress.set(address, (mine = new Set()));
    mine.add(ticket);
    return ticket;
  }

  /** The connection logged in: it moves to the authenticated count, or is refused when its
   *  address has as many authenticated connections as it may (the reason). */
  authenticated(ticket: Ticket): string | undefined {
    if (ticket.state !== 'starting') return undefined;
    const count = this.authenticatedByAddress.get(ticket.address) ?? 0;
    if (count >= this.limits.maxConnectionsPerAddress) return `too many connections from ${ticket.address} (${count})`;
    this.leaveStarting(ticket);
    ticket.state = 'authenticated';
    this.authenticatedByAddress.set(ticket.address, count + 1);
    this.authenticatedTotal++;
    return undefined;
  }

  /** The connection closed (once per ticket; again is a no-op). */
  release(ticket: Ticket): void {
    if (ticket.state === 'starting') this.leaveStarting(ticket);
    else if (ticket.state === 'authenticated') {
      const count = this.authenticatedByAddress.get(ticket.address) ?? 1;
      if (count <= 1) this.authenticatedByAddress.delete(ticket.address);
      else this.authenticatedByAddress.set(ticket.address, count - 1);
      this.authenticatedTotal--;
    }
    ticket.state = 'released';
  }

  /** Evicts the oldest of `from` when it is old enough; false when it is not (or there is none). */
  private makeRoom(from: ReadonlySet<Ticket>, now: number, reason: string): boolean {
    const oldest = from.values().next().value as Ticket | undefined;
    if (!oldest || now - oldest.since < this.limits.evictAfterMs) return false;
    this.release(oldest);
    this.evictions++;
    oldest.evict(`made room: ${reason}`, now - oldest.since);
    return true;
  }

  private leaveStarting(ticket: Ticket): void {
    this.starting.delete(ticket);
    const mine = this.startingByAddress.get(ticket.address);
    if (!mine) return;
    mine.delete(ticket);
    if (mine.size === 0) this.startingByAddress.delete(ticket.address);
  }

  /** Records a failed authentication; true when this address is now locked out. */
  authFailed(address: string, now = Date.now()): boolean {
    let record = this.auth.get(address);
    if (!record || now - record.windowStart > this.limits.authWindowMs) {
      record = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.auth.set(address, record);
    }
    record.failures++;
    if (record.failures >= this.limits.maxAuthFailures) {
      record.lockedUntil = now + this.limits.authLockoutMs;
      record.failures = 0;
      record.windowStart = now;
      this.forgetOld(now);
      return true;
    }
    this.forgetOld(now);
    return false;
  }

  /** Keeps the failure table bounded: entries whose window and lock-out are over go. */
  private forgetOld(now: number): void {
    if (this.auth.size < 10_000) return;
    for (const [address, r] of this.auth) {
      if (r.lockedUntil < now && now - r.windowStart > this.limits.authWindowMs) this.auth.delete(address);
    }
  }
}

/** What a connection may send: `ratePerSecond` sustained, `burst` at once (messages, or bytes). */
export class MessageRate {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes `cost` (one message, or its size); false when over the rate. */
  take(now = Date.now(), cost = 1): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
