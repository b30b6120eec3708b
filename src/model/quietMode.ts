import { Disposable, Emitter, IDisposable } from './lifecycle';
import type { QuietReason } from './notificationPolicy';

/** Time as the quiet mode and the idle watch see it; tests drive a fake one. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): IDisposable;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    return { dispose: () => clearTimeout(timer) };
  },
};

export interface QuietSettings {
  /** Hold notifications while a debug session runs. */
  whileDebugging: boolean;
  /** Hold them while the user typed in an editor less than this long ago; 0: never. */
  typingSeconds: number;
}

/**
 * Editor-aware quiet mode: on while a debug session runs or while the user is typing in an
 * editor (an edit less than `typingSeconds` ago). The notification gate holds what arrives
 * meanwhile and sums it up when this turns off.
 */
export class QuietMode extends Disposable {
  private readonly debugSessions = new Set<string>();
  private typingUntil = 0;
  private typingTimer: IDisposable | undefined;
  private current: QuietReason | undefined;
  private readonly changed = this._register(new Emitter<QuietReason | undefined>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly settings: () => QuietSettings,
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this._register({ dispose: () => this.typingTimer?.dispose() });
  }

  /** Debugging before typing: the longer of the two, and the one the summary names. */
  get reason(): QuietReason | undefined {
    return this.current;
  }

  debugStarted(sessionId: string): void {
    this.debugSessions.add(sessionId);
    this.update();
  }

  debugEnded(sessionId: string): void {
    this.debugSessions.delete(sessionId);
    this.update();
  }

  /** The user edited a document in an editor. Cheap: one timer however fast they type. */
  typed(): void {
    const seconds = this.settings().typingSeconds;
    if (!(seconds > 0)) return;
    this.typingUntil = this.clock.now() + seconds * 1000;
    if (!this.typingTimer) this.waitForTypingToEnd();
    this.update();
  }

  /** The settings changed: quiet mode may be on or off now. */
  settingsChanged(): void {
    this.update();
  }

  private waitForTypingToEnd(): void {
    this.typingTimer = this.clock.setTimeout(
      () => {
        this.typingTimer = undefined;
        // Typed again since the timer was set: wait for the rest.
        if (this.clock.now() < this.typingUntil) this.waitForTypingToEnd();
        this.update();
      },
      Math.max(0, this.typingUntil - this.clock.now()),
    );
  }

  private compute(): QuietReason | undefined {
    const { whileDebugging, typingSeconds } = this.settings();
    if (whileDebugging && this.debugSessions.size > 0) return 'debugging';
    if (typingSeconds > 0 && this.clock.now() < this.typingUntil) return 'typing';
    return undefined;
  }

  private update(): void {
    const next = this.compute();
    if (next === this.current) return;
    this.current = next;
    this.changed.fire(next);
  }
}
