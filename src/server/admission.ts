/**
 * Who may connect, and how fast: caps on connections in total and per address, a lock-out
 * for addresses that keep failing authentication, and a per-connection message rate. Each
 * check answers with the reason for a refusal, which the relay logs.
 */
export interface AdmissionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Failed authentications from one address within `authWindowMs` that lock it out… */
  maxAuthFailures: number;
  authWindowMs: number;
  /** …for this long. */
  authLockoutMs: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  maxAuthFailures: 10,
  authWindowMs: 60_000,
  authLockoutMs: 60_000,
};

interface AuthRecord {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export class Admission {
  private total = 0;
  private readonly perAddress = new Map<string, number>();
  private readonly auth = new Map<string, AuthRecord>();

  constructor(private readonly limits: AdmissionLimits) {}

  get connections(): number {
    return this.total;
  }

  /** Undefined when the connection may proceed (and is then counted until `release`), else why not. */
  admit(address: string, now = Date.now()): string | undefined {
    const record = this.auth.get(address);
    if (record && record.lockedUntil > now) return `too many failed logins from ${address}; locked out for ${Math.ceil((record.lockedUntil - now) / 1000)} s`;
    if (this.total >= this.limits.maxConnections) return `the relay is full (${this.limits.maxConnections} connections)`;
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.limits.maxConnectionsPerAddress) return `too many connections from ${address} (${count})`;
    this.total++;
    this.perAddress.set(address, count + 1);
    return undefined;
  }

  release(address: string): void {
    const count = this.perAddress.get(address) ?? 0;
    if (count <= 0) return;
    this.total--;
    if (count === 1) this.perAddress.delete(address);
    else this.perAddress.set(address, count - 1);
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
