/**
 * Node flags the standalone relay runs with, by the number of CPUs it may use.
 *
 * With one CPU, V8's helper threads can only run by preempting the event loop: the scheduler
 * hands each of them the CPU a few milliseconds at a time, and every message waiting on the loop
 * waits for them too. Two flags, each measured on a relay pinned to one CPU (bench/NOTES.md):
 *
 * - `--single-threaded-gc`: the collector's work (concurrent marking and sweeping, parallel
 *   scavenges) is done on the loop's own thread. At 10,000 msgs/s p99 14.5 → 3.1 ms, at 50,000
 *   18.8 → 6.7 ms, file rates unchanged.
 * - `--v8-pool-size=1`: what is left for helpers is mostly the optimizing compiler, and Node
 *   starts four of them whatever the CPUs. On one CPU four cannot work side by side, only all
 *   take the CPU from the loop at once (a new transfer's code being optimized kept them at 10-25 %
 *   of the CPU for a second); one helper gets the same work done, and leaves the loop at least
 *   half of the CPU meanwhile. Chat p99 during a 64 KiB-chunk transfer 14.1 → 10.1 ms (median of
 *   14 interleaved runs); loads up to saturation stayed within their spread. (The helpers at a
 *   lower priority did better on an idle CPU but starved on a full one, leaving hot code
 *   unoptimized: p99 at half of peak 20 ms → over a second.)
 *
 * With two or more CPUs the helpers run beside the loop, which is what they are for, so nothing
 * is changed. These are start-up flags: V8 refuses (aborts, in fact) to switch its collector once
 * running, so the relay command starts itself again with them (relayCommand.ts).
 */
export function relayNodeFlags(cpus: number): string[] {
  return cpus <= 1 ? ['--single-threaded-gc', '--v8-pool-size=1'] : [];
}
