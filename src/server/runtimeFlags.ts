/**
 * Node flags the standalone relay runs with, by the number of CPUs it may use.
 *
 * With one CPU, V8's helper threads (concurrent marking and sweeping, parallel scavenges) can
 * only run by preempting the event loop: the scheduler hands them the CPU a few milliseconds at
 * a time, and every message waiting on the loop waits for them too. Measured on a relay pinned to
 * one CPU at 10,000 msgs/s: p99 14.5 ms with the helpers, 3.1 ms with the collector's work done
 * on the loop's own thread (`--single-threaded-gc`), and 18.8 → 6.7 ms at 50,000 msgs/s, file
 * rates unchanged (bench/NOTES.md). With two or more CPUs the helpers run beside the loop, which
 * is what they are for, so nothing is changed.
 *
 * These are start-up flags: V8 refuses (aborts, in fact) to switch its collector once running,
 * so the relay command starts itself again with them (relayCommand.ts).
 */
export function relayNodeFlags(cpus: number): string[] {
  return cpus <= 1 ? ['--single-threaded-gc'] : [];
}
