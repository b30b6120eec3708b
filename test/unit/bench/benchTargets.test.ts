import { strict as assert } from 'node:assert';
import { targetVerdicts, type TargetRun, type TargetVerdict } from '../../../bench/lib/targets';

const CAP = 32 * 1024 * 1024;

function run(workload: string, label: string, system: string, metrics: Record<string, unknown>, extra: Partial<TargetRun> = {}): TargetRun {
  return { workload, label, system, metrics, ...extra };
}

function only(verdicts: TargetVerdict[], nameStart: string): TargetVerdict {
  const found = verdicts.filter((v) => v.name.startsWith(nameStart));
  assert.equal(found.length, 1, `one target named ${nameStart}…, got ${found.map((v) => v.name).join(' / ')}`);
  return found[0];
}

/** The report's targets table: a wrong verdict would claim a target met or missed. */
describe('bench targets', () => {
  it('holds the relay p50 to 2.5× direct, met at exactly 2.5× and missed just above', () => {
    const at = (relayMs: number) =>
      only(
        targetVerdicts([run('w2', '10k msgs/s', 'direct', { p50Ms: 0.02 }), run('w2', '10k msgs/s', 'relay', { p50Ms: relayMs })], CAP),
        'Latency p50 at 10k',
      );
    assert.equal(at(0.05).met, true);
    assert.equal(at(0.0501).met, false);
    assert.equal(at(0.05).against, 'direct 0.020 ms (2.50×)');
    assert.equal(at(0.05).measured, '0.050 ms');
  });

  it('puts the same rule to every other system of the case, references left out, in a fixed order', () => {
    const label = '10k msgs/s';
    const verdict = only(
      targetVerdicts(
        [
          run('w2', label, 'aedes', { p50Ms: 0.04 }),
          run('w2', label, 'relay', { p50Ms: 0.08 }),
          run('w2', label, 'mosquitto', { p50Ms: 0.06 }),
          run('w2', label, 'pipe', { p50Ms: 0.063 }),
          run('w2', label, 'direct', { p50Ms: 0.017 }),
        ],
        CAP,
      ),
      'Latency p50',
    );
    assert.equal(verdict.met, false);
    // 2.5 × 0.017 = 0.0425: Aedes's 0.04 meets it, the pipe's 0.063 and Mosquitto's 0.06 do not.
    assert.deepEqual(verdict.others, ['pipe 0.063 ms missed', 'Mosquitto 0.060 ms missed', 'Aedes 0.040 ms met']);
  });

  it('says "not run" (undefined) when a reference is missing, and "error" for a system whose run failed', () => {
    const verdicts = targetVerdicts(
      [run('w1', '1 pair', 'relay', { deliveredPerSec: 150_000 }), run('w1', '1 pair', 'pipe', {}, { error: 'exited with 1' })],
      CAP,
    );
    const w1 = only(verdicts, 'Direct messages, 1 pair');
    assert.equal(w1.met, undefined);
    assert.equal(w1.against, 'Mosquitto – msgs/s (–)');
    assert.deepEqual(w1.others, ['pipe error']);
  });

  it('file relay: at least half of direct and above the pipe, both references left out of the others', () => {
    const label = '64 KiB chunks';
    const at = (relay: number) =>
      only(
        targetVerdicts(
          [run('w4', label, 'direct', { mbPerSec: 600 }), run('w4', label, 'pipe', { mbPerSec: 700 }), run('w4', label, 'relay', { mbPerSec: relay })],
          CAP,
        ),
        'File relay',
      );
    assert.equal(at(700).met, false, 'equal to the pipe is not above it');
    assert.equal(at(701).met, true);
    assert.deepEqual(at(701).others, []);
    assert.equal(at(701).against, 'direct 600 (1.17×), pipe 700 (1.00×)');
  });

  it("p99 at half of peak names the relay's rate; chat during a transfer reads the chat figures", () => {
    const verdicts = targetVerdicts(
      [
        run('w2', 'half of relay peak', 'relay', { p99Ms: 0.9 }, { spec: { w: 'latency', rate: 80_100 } }),
        run('w2', 'half of relay peak', 'pipe', { p99Ms: 5.17 }, { spec: { w: 'latency', rate: 80_100 } }),
        run('w4', '64 KiB chunks + chat 10k msgs/s', 'relay', { mbPerSec: 300, chat: { p99Ms: 5 } }),
        run('w4', '64 KiB chunks + chat 10k msgs/s', 'pipe', { mbPerSec: 280, chat: { p99Ms: 9.57 } }),
      ],
      CAP,
    );
    const half = only(verdicts, 'Latency p99 at half');
    assert.equal(half.measured, '0.900 ms at 80,100 msgs/s');
    assert.equal(half.met, true);
    assert.deepEqual(half.others, ['pipe 5.17 ms missed']);
    const chat = only(verdicts, 'Chat p99 during the 1 GiB transfer (64 KiB chunks)');
    assert.equal(chat.met, true);
    assert.deepEqual(chat.others, ['pipe 9.57 ms missed']);
  });

  it("slow consumer: memory within 4× the queue cap, and others' p99 within 1.5× or +1 ms of its baseline", () => {
    const at = (growth: number, base: number, during: number) => {
      const verdicts = targetVerdicts(
        [
          run('w6', 'slow', 'relay', {
            sutRssAtSlowStartBytes: 100e6,
            sutPeakRssDuringSlowBytes: 100e6 + growth,
            baseline: { p99Ms: base },
            duringSlow: { p99Ms: during },
          }),
        ],
        CAP,
      );
      return { memory: only(verdicts, 'Slow consumer: relay memory'), p99: only(verdicts, "Slow consumer: other pairs'") };
    };
    assert.equal(at(4 * CAP, 1, 2).memory.met, true);
    assert.equal(at(4 * CAP + 1, 1, 2).memory.met, false);
    // Baseline 1 ms: +1 ms is the larger allowance; baseline 4 ms: 1.5× is.
    assert.equal(at(0, 1, 2).p99.met, true);
    assert.equal(at(0, 1, 2.01).p99.met, false);
    assert.equal(at(0, 4, 6).p99.met, true);
    assert.equal(at(0, 4, 6.01).p99.met, false);
    assert.equal(at(0, 2.31, 2.89).p99.measured, '2.31 → 2.89 ms');
  });

  it('connection scale: per-connection memory and connections held, Mosquitto and Aedes beside the relay', () => {
    const label = '10,000 clients at 1,000/s';
    const verdicts = targetVerdicts(
      [
        run('w5', label, 'relay', { bytesPerConnection: 10_000, connected: 10_000, clients: 10_000 }),
        run('w5', label, 'aedes', { bytesPerConnection: 16_794, connected: 9_999, clients: 10_000 }),
      ],
      CAP,
    );
    assert.equal(only(verdicts, '≤ 10 KB').met, true);
    assert.deepEqual(only(verdicts, '≤ 10 KB').others, ['Aedes 16,794 B missed']);
    assert.deepEqual(only(verdicts, '10,000 connections held').others, ['Aedes 9,999 of 10,000 missed']);
    assert.equal(only(verdicts, '10,000 connections held').measured, '10,000 of 10,000');
  });

  it('search: p50 and p99 against 50 and 200 ms, met at the budget and missed just above', () => {
    const label = 'search 1,000,000 messages';
    const at = (p50Ms: number, p99Ms: number) => targetVerdicts([run('w7', label, 'relay', { p50Ms, p99Ms })], CAP);
    assert.equal(only(at(50, 200), 'Search over 1,000,000 messages: p50').met, true);
    assert.equal(only(at(50.01, 200), 'Search over 1,000,000 messages: p50').met, false);
    assert.equal(only(at(50, 200), 'Search over 1,000,000 messages: p99').met, true);
    assert.equal(only(at(50, 200.01), 'Search over 1,000,000 messages: p99').met, false);
    assert.equal(only(at(12.5, 200), 'Search over 1,000,000 messages: p50').against, '50 ms (0.25×)');
  });

  it("search memory: the history's RSS growth against 1.5× its log, met at exactly 1.5×", () => {
    const label = 'search 1,000,000 messages';
    const at = (growthBytes: number) =>
      only(
        targetVerdicts([run('w7', label, 'relay', { memory: { growthBytes, logBytes: 200e6, growthPerLogByte: growthBytes / 200e6 } })], CAP),
        'Relay memory',
      );
    assert.equal(at(300e6).met, true);
    assert.equal(at(300.2e6).met, false);
    assert.equal(at(300e6).measured, '300.0 MB for a 200.0 MB log (1.50×)');
  });

  it('search leaks: judged on the worst round, so a leak in one round of three is not voted away', () => {
    const label = 'search 1,000,000 messages';
    const rounds = [{ metrics: { leaks: 0, count: 300 } }, { metrics: { leaks: 2, count: 300 } }, { metrics: { leaks: 0, count: 300 } }];
    const leak = only(targetVerdicts([run('w7', label, 'relay', { leaks: 0, count: 300 }, { rounds })], CAP), 'Search: no hit');
    assert.equal(leak.met, false);
    assert.equal(leak.measured, '2 such hits in 300 queries, worst round');
    const clean = only(targetVerdicts([run('w7', label, 'relay', { leaks: 0, count: 300 })], CAP), 'Search: no hit');
    assert.equal(clean.met, true);
  });

  it("webview: the webview's own figures, first screen ≤ 200 ms and fewer than 500 message elements after 20 pages", () => {
    const label = 'webview 100,000 messages';
    const at = (firstScreenMs: number, maxMessageElements: number, pagesServed = 20) =>
      targetVerdicts([run('w8', label, 'webview', { firstScreenMs, maxMessageElements, pagesServed })], CAP);
    assert.equal(only(at(200, 499), 'Webview, 100,000 messages: first screen').met, true);
    assert.equal(only(at(200.5, 499), 'Webview, 100,000 messages: first screen').met, false);
    assert.equal(only(at(200, 499), 'Webview: < 500').met, true);
    assert.equal(only(at(200, 500), 'Webview: < 500').met, false);
    assert.equal(only(at(200, 120, 19), 'Webview: < 500').met, undefined, 'fewer than 20 pages scrolled back is no verdict');
    assert.equal(only(at(100, 120), 'Webview, 100,000 messages: first screen').against, '200 ms (0.50×)');
  });
});
