/**
 * The Node systems under test, each in its own process so that its CPU time and memory are
 * its own and it has an event loop (and a core) to itself:
 *   sut relay            the project's relay (src/server/relay.ts), team secret on, history in memory,
 *                        per-client message rate and per-address connection cap off (see below)
 *   sut relay --history-dir DIR   the same with its history in DIR, retention set for W7's
 *                        1,000,000 messages of months (bench/lib/searchRun.ts)
 *   sut pipe <port>...   a plain pipe() relay: every connection is piped to 127.0.0.1:<port>; with
 *                        several ports it listens once per port (W4 "+ chat": the file and the chat
 *                        go to two load generator processes)
 *   sut aedes            the Aedes MQTT broker with its default in-memory persistence
 * Each says {t:'listening', port, ports} over IPC, runs global.gc() when asked (started with
 * --expose-gc), and exits when told to stop or when its parent goes away.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as net from 'node:net';
import * as os from 'node:os';
import { createStreamLogger } from '../src/net/logger';
import { Relay } from '../src/server/relay';
import type { RelayOptions } from '../src/server/relayOptions';
import { BENCH_SECRET } from './lib/systems';

const HOST = '127.0.0.1';

async function start(kind: string): Promise<{ ports: number[]; stop(): Promise<void> }> {
  if (kind === 'relay') {
    const dirAt = process.argv.indexOf('--history-dir');
    const relay = new Relay({
      host: HOST,
      port: 0,
      auth: { secret: BENCH_SECRET },
      // Everything at its default except the abuse limits that a load generator on one address
      // trips by design: the per-client message and text rates (one bench client sends for many
      // people) and the per-address connection cap (10,000 clients all come from 127.0.0.1).
      messagesPerSecond: 0,
      textBytesPerSecond: 0,
      // Plain TCP, like the MQTT brokers it is compared with.
      tls: false,
      admission: { maxConnectionsPerAddress: 100_000, maxStartups: 100_000, maxStartupsPerAddress: 100_000 },
      logger: createStreamLogger((line) => process.stderr.write(line), 'warn'),
      ...(dirAt > 0 ? historyOptions(process.argv[dirAt + 1]) : {}),
      // Experiments only (never in a recorded run): e.g. BENCH_RELAY_OPTIONS='{"historyMaxEntries":100}'.
      ...(process.env.BENCH_RELAY_OPTIONS ? JSON.parse(process.env.BENCH_RELAY_OPTIONS) : {}),
    });
    const address = await relay.start();
    return { ports: [address.port], stop: () => relay.stop() };
  }
  if (kind === 'pipe') {
    const servers = process.argv.slice(3).map((arg) => {
      const target = Number(arg);
      return net.createServer((client) => {
        const upstream = net.connect({ host: HOST, port: target });
        client.setNoDelay(true);
        upstream.setNoDelay(true);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
    });
    for (const server of servers) await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return { ports: servers.map((server) => (server.address() as net.AddressInfo).port), stop: async () => servers.forEach((server) => server.close()) };
  }
  if (kind === 'aedes') {
    const { Aedes } = await import('aedes');
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle as (socket: net.Socket) => void);
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return { ports: [(server.address() as net.AddressInfo).port], stop: async () => void server.close() };
  }
  throw new Error(`unknown system ${kind}`);
}

/** A history on disk that keeps all of W7's messages: as `relay --history-dir DIR --history-max
 *  2000000 --history-max-days 365` would (the byte bound stays at its default, 1 GiB). */
function historyOptions(dir: string): Partial<RelayOptions> {
  return { historyDir: dir, historyMaxEntries: 2_000_000, historyMaxAgeMs: 365 * 24 * 3600 * 1000 };
}

/**
 * Experiments only: BENCH_LOOP_TRACE=1 times every event-loop turn (a setImmediate chain, so the
 * loop never sleeps in poll) and prints how many turns were long when the bench stops the relay.
 */
function traceLoopTurns(): () => void {
  const bounds = [1, 2, 5, 10, 20, 50];
  const counts = new Array<number>(bounds.length + 1).fill(0);
  let last = process.hrtime.bigint();
  let max = 0;
  let turns = 0;
  const tick = (): void => {
    const now = process.hrtime.bigint();
    const ms = Number(now - last) / 1e6;
    last = now;
    turns++;
    if (ms > max) max = ms;
    let i = 0;
    while (i < bounds.length && ms >= bounds[i]) i++;
    counts[i]++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    const parts = counts.map((n, i) => `${i === 0 ? '<1' : '>=' + bounds[i - 1]}ms:${n}`);
    process.stderr.write(`loop turns ${turns} ${parts.join(' ')} max ${max.toFixed(2)}ms\n`);
  };
}

const reportLoop = process.env.BENCH_LOOP_TRACE ? traceLoopTurns() : undefined;

/**
 * Experiments only: BENCH_STALL_LOG=1 has a 1 ms timer report every time it fires more than 4 ms
 * late, with the time since the process started (as `--trace-gc` prints it), so that stalls can
 * be set beside collections. Unlike BENCH_LOOP_TRACE the loop still sleeps when it has nothing to do.
 */
function logStalls(): void {
  // The event-loop thread's schedstat: time on a CPU and time runnable but waiting for one (ns).
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const readSched = (): number[] => {
    try {
      return fs.readFileSync(schedstat, 'latin1').split(' ').slice(0, 2).map(Number);
    } catch {
      return [0, 0];
    }
  };
  let last = performance.now();
  let lastSched = readSched();
  setInterval(() => {
    const now = performance.now();
    const sched = readSched();
    if (now - last > 4) {
      const [ran, waited] = [(sched[0] - lastSched[0]) / 1e6, (sched[1] - lastSched[1]) / 1e6];
      process.stderr.write(`stall at ${now.toFixed(1)} ms: ${(now - last - 1).toFixed(2)} ms late, ran ${ran.toFixed(2)} waited ${waited.toFixed(2)} ms\n`);
    }
    last = now;
    lastSched = sched;
  }, 1).unref();
}

if (process.env.BENCH_STALL_LOG) logStalls();

/**
 * Experiments only: BENCH_HEAP_SAMPLE=FILE samples allocations (V8's sampling heap profiler)
 * from start to stop, asking V8 to keep the objects a mark-compact collected and drop those that
 * died young — what was promoted and then died, what old-generation collections are made of. A
 * V8 without those two options ignores them and reports what is alive at the end. Written to
 * FILE as a .heapprofile (Chrome DevTools opens it).
 */
function sampleHeap(file: string): () => Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  const started = post('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
  return async () => {
    await started;
    const result = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    fs.writeFileSync(file, JSON.stringify(result.profile));
    session.disconnect();
  };
}

/**
 * Experiments only: BENCH_HELPER_NICE=N runs every thread but the event loop's (V8's helpers,
 * libuv's pool) at nice N, looking again each second for new ones (Linux: a thread id given to
 * setpriority changes that thread alone). NOTES.md has what it did and why the relay does not.
 */
if (process.env.BENCH_HELPER_NICE) {
  const nice = Number(process.env.BENCH_HELPER_NICE);
  const lower = (): void => {
    for (const tid of fs.readdirSync('/proc/self/task').map(Number)) {
      if (tid === process.pid) continue;
      try {
        os.setPriority(tid, nice);
      } catch {
        // gone already
      }
    }
  };
  lower();
  setInterval(lower, 1000).unref();
}

const stopHeapSampling = process.env.BENCH_HEAP_SAMPLE ? sampleHeap(process.env.BENCH_HEAP_SAMPLE) : undefined;

start(process.argv[2]).then(
  (sut) => {
    process.on('message', (msg: { t: string }) => {
      if (msg.t === 'gc') {
        (globalThis as { gc?: () => void }).gc?.();
        process.send!({ t: 'gc-done' });
      } else if (msg.t === 'stop') {
        reportLoop?.();
        void sut.stop();
        void (stopHeapSampling?.() ?? Promise.resolve()).finally(() => setTimeout(() => process.exit(0), 200).unref());
      }
    });
    process.on('disconnect', () => process.exit(0));
    process.send!({ t: 'listening', port: sut.ports[0], ports: sut.ports });
  },
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
