/** Bytes, rate and time left for a transfer, as the UI shows them. */
export interface TransferProgress {
  transfer: string;
  direction: 'send' | 'receive';
  /** The file being moved now (its name as offered). */
  file: string;
  bytes: number;
  total: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; undefined until a rate is known. */
  etaSeconds: number | undefined;
}

/**
 * Smooths the rate over roughly the last second (exponential moving average) and rate-limits
 * how often progress is reported, so a fast transfer does not flood the UI.
 */
export class ProgressMeter {
  private lastBytes = 0;
  private lastAt: number;
  private lastReport = 0;
  private rate = 0;

  constructor(
    private readonly total: number,
    private readonly intervalMs = 100,
    now = Date.now(),
  ) {
    this.lastAt = now;
  }

  /** Returns rate and ETA when a report is due (or `force`), else undefined. */
  update(bytes: number, force = false, now = Date.now()): { rate: number; etaSeconds: number | undefined } | undefined {
    const dt = now - this.lastAt;
    if (dt >= 50) {
      const instant = ((bytes - this.lastBytes) * 1000) / dt;
      const weight = Math.min(1, dt / 1000);
      this.rate = this.rate === 0 ? instant : this.rate + weight * (instant - this.rate);
      this.lastBytes = bytes;
      this.lastAt = now;
    }
    if (!force && now - this.lastReport < this.intervalMs) return undefined;
    this.lastReport = now;
    const left = this.total - bytes;
    return { rate: this.rate, etaSeconds: this.rate > 0 ? left / this.rate : left === 0 ? 0 : undefined };
  }
}
