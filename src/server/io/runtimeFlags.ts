/**
 * Node flags the standalone relay runs with, by the number of CPUs it may use.
 *
 * With one CPU, V8's helper threads can only run by preempting the event loop: the scheduler
 * hands each of them the CPU a few milliseconds at a time, and every message waiting on the loop
 * waits for them too. Two flags, each measured on a relay pinned to one CPU (bench/NOTES.md):
 *
 * - `--single-threaded-gc`: the collector's work (concurrent marking and sweeping, parallel
 *   scavenges) is done on the loop's own thread, between messages instead of preempting them.
 * - `--v8-pool-size=1`: what is left for helpers is mostly the optimizing compiler, and Node
 *   starts four of them whatever the CPUs. On one CPU four cannot work side by side, only take
 *   the CPU from the loop together; one helper gets the same work done and leaves the loop at
 *   least half of the CPU meanwhile.
 * - `--max-semi-space-size=32`: with the collector on the loop, objects that live a few
 *   milliseconds under a flood (frames waiting for a flush, acks gathered for one write) must die
 *   young; when the young generation stayed small they were promoted, and the old generation's
 *   mark-compacts (8–12 ms each, four or five a W2 run instead of one) set W2's p99. The young
 *   generation may now grow to 2 × 32 MB, and shrinks back when idle.
 *
 * With two or more CPUs the helpers run beside the loop, which is what they are for, so nothing
 * is changed. These are start-up flags: V8 refuses (aborts, in fact) to switch its collector once
 * running, so the relay command starts itself again with them (relayCommand.ts).
 */
export function relayNodeFlags(cpus: number): string[] {
  return cpus <= 1 ? ['--single-threaded-gc', '--v8-pool-size=1', '--max-semi-space-size=32'] : [];
}
