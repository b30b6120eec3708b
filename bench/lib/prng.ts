/**
 * A small seeded generator (mulberry32) for the bench's synthetic data: the same seed builds
 * the same history and the same queries on every machine, so two runs search the same thing.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * Ranks 0..n-1 drawn with probability ∝ 1 / (rank + 1)^s, the shape of word frequencies in
 * text (Zipf's law): a few words are most of every message, most words are rare. Drawn by
 * Walker's alias method (one uniform number, one comparison), since a million messages draw
 * some fifteen million words.
 */
export class ZipfSampler {
  private readonly probabilities: Float64Array;
  /** Column i holds rank i with probability keep[i], else rank alias[i]. */
  private readonly keep: Float64Array;
  private readonly alias: Int32Array;

  constructor(
    readonly n: number,
    s: number,
  ) {
    this.probabilities = new Float64Array(n);
    let sum = 0;
    for (let r = 0; r < n; r++) sum += this.probabilities[r] = 1 / Math.pow(r + 1, s);
    for (let r = 0; r < n; r++) this.probabilities[r] /= sum;
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = this.probabilities.map((p) => p * n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, r) => (p < 1 ? small : large).push(r));
    while (small.length && large.length) {
      const less = small.pop()!;
      const more = large[large.length - 1];
      this.keep[less] = scaled[less];
      this.alias[less] = more;
      scaled[more] -= 1 - scaled[less];
      if (scaled[more] < 1) small.push(large.pop()!);
    }
    for (const r of [...small, ...large]) {
      this.keep[r] = 1;
      this.alias[r] = r;
    }
  }

  /** The probability of `rank`. */
  probability(rank: number): number {
    return this.probabilities[rank];
  }

  sample(prng: Prng): number {
    const u = prng.next() * this.n;
    const column = Math.floor(u);
    return u - column < this.keep[column] ? column : this.alias[column];
  }
}
