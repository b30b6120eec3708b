/**
 * One figure from several rounds of the same case. On a shared machine one run of a few seconds
 * can land in a slow patch (the same file transfer measured 541 and 913 MB/s a minute apart),
 * enough to turn a ratio against a peer around. The bench runs the noisy workloads in rounds,
 * every system once per round, and reports the median of each figure: with three rounds one
 * slow patch moves nothing.
 */

/** The median of the finite numbers in `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Metrics = Record<string, unknown>;

function isPlainObject(v: unknown): v is Metrics {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The rounds' metrics merged figure by figure: every number (at any depth) is the median of
 * that number across the rounds that have it, so a p99 is the median of the rounds' p99s, not
 * the p99 of one chosen round. Anything else (text, lists) is taken from the first round that
 * has it.
 */
export function medianOfRounds(rounds: readonly Metrics[]): Metrics {
  const out: Metrics = {};
  const keys = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  for (const key of keys) {
    const present = rounds.filter((r) => key in r).map((r) => r[key]);
    if (present.every((v) => typeof v === 'number')) {
      out[key] = median(present as number[]) ?? present[0];
    } else if (present.every(isPlainObject)) {
      out[key] = medianOfRounds(present as Metrics[]);
    } else {
      out[key] = present.find((v) => v !== undefined && v !== null) ?? present[0];
    }
  }
  return out;
}
