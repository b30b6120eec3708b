import { Disposable, IDisposable } from '../model/lifecycle';
import { Clock, systemClock } from '../model/quietMode';

export interface IdleWatchSources {
  /** Minutes without activity before the user counts as idle; 0: never. */
  minutes(): number;
  /** Whether the user is at the window now (focused and recently interacted with). */
  present(): boolean;
  /** Idle now, or back. */
  onIdle(idle: boolean): void;
  clock?: Clock;
}

/**
 * Automatic Away: idle once `minutes` pass without activity while the window is not in use
 * (unfocused, or focused but untouched); back at the next activity. One timer, set again on each
 * activity only when none runs.
 */
export class IdleWatch extends Disposable {
  private idle = false;
  private lastActivity: number;
  private timer: IDisposable | undefined;
  private readonly clock: Clock;

  constructor(private readonly sources: IdleWatchSources) {
    super();
    this.clock = sources.clock ?? systemClock;
    this.lastActivity = this.clock.now();
    this._register({ dispose: () => this.timer?.dispose() });
    this.schedule();
  }

  /** The user did something (typed, moved the cursor, focused the window). */
  activity(): void {
    this.lastActivity = this.clock.now();
    if (this.idle) {
      this.idle = false;
      this.sources.onIdle(false);
    }
    if (!this.timer) this.schedule();
  }

  /** The setting changed: start over from now. */
  settingsChanged(): void {
    this.timer?.dispose();
    this.timer = undefined;
    this.activity();
  }

  private schedule(): void {
    const minutes = this.sources.minutes();
    if (!(minutes > 0)) return;
    const due = this.lastActivity + minutes * 60_000;
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(0, due - this.clock.now()));
  }

  private check(): void {
    this.timer = undefined;
    const minutes = this.sources.minutes();
    if (!(minutes > 0)) return;
    // Still at the window (reading, say): that counts as activity.
    if (this.sources.present()) this.lastActivity = this.clock.now();
    if (this.clock.now() >= this.lastActivity + minutes * 60_000 && !this.idle) {
      this.idle = true;
      this.sources.onIdle(true);
      return;
    }
    this.schedule();
  }
}
