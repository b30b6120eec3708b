import type { Clock } from '../../../src/model/quietMode';

/** A clock the test moves by hand: timers run when `advance` passes their time, in order. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; run: () => void; id: number }[] = [];
  private nextId = 0;

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, run, id });
    return { dispose: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
  }

  /** How many timers wait. */
  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.run();
    }
    this.time = end;
  }
}
