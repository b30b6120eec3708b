import type { ClusterEngine } from './natsEngine';

/** How long a relay may be cut off from its engine before it turns newcomers away. */
export const DEFAULT_ADMIT_CUT_OFF_MS = 10_000;

/**
 * Whether a relay has been cut off from the cluster's engine for long. Its own people keep
 * chatting locally meanwhile, but a newcomer could send nothing to anyone elsewhere: it is
 * refused (retryably), so that a client with the team's other addresses moves to a relay that
 * can reach the engine. A short cut (an engine node restarting) refuses nobody.
 */
export class CutOffWatch {
  /** When the engine became unreachable (undefined: it is reachable). */
  private since: number | undefined;
  private readonly stopListening: () => void;

  constructor(
    engine: Pick<ClusterEngine, 'reachable' | 'onStatus'>,
    private readonly limitMs = DEFAULT_ADMIT_CUT_OFF_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.since = engine.reachable() ? undefined : this.now();
    this.stopListening = engine.onStatus((reachable) => {
      if (reachable) this.since = undefined;
      else this.since ??= this.now();
    });
  }

  /** Why a newcomer is turned away now, or undefined to let it in. */
  refusal(): string | undefined {
    if (this.since === undefined) return undefined;
    const away = this.now() - this.since;
    if (away < this.limitMs) return undefined;
    return `this relay has been cut off from its cluster for ${Math.round(away / 1000)} s; connect to another relay of the team`;
  }

  close(): void {
    this.stopListening();
  }
}
