/**
 * A token bucket for one connection's file data, in bytes per second. When a sender goes over
 * its rate the relay stops reading its socket for as long as the debt takes to repay: TCP then
 * slows the sender down, and the relay buffers nothing extra.
 */
export class Throttle {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly bytesPerSecond: number,
    private readonly burstBytes = Math.max(64 * 1024, bytesPerSecond / 4),
  ) {
    this.tokens = this.burstBytes;
  }

  /** Takes `bytes`; returns how long (ms) reading should pause, 0 when within the rate. */
  take(bytes: number, now = Date.now()): number {
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
  }
}
