/**
 * W10 (issue 29): three relays joined through a 3-node NATS JetStream cluster, with a 1-replica and
 * a 3-replica chat stream, against one relay alone on the same machine. Each setup is measured the
 * same way with real TeamClients in this process: cross-relay direct-message latency at a fixed
 * rate, aggregate throughput with a window of sends in flight, broadcast fan-out, and failover
 * (kill -9 a relay: time until its people are back and delivering). The cluster's figures are
 * reported as ratios against the single relay's in the same run.
 */
import { ChaosClient, closeFleet, connectFleet } from '../../test/cluster/chaosClients';
import { startNats, NatsCluster } from '../../test/cluster/natsServers';
import { RelayProcess, startRelayProcesses } from '../../test/cluster/relayProcesses';

export interface ClusterSpec {
  w: 'cluster';
  /** Direct messages a second, all pairs together, for the latency figure. */
  rate: number;
  pairs: number;
  warmMs: number;
  measureMs: number;
  /** Sends each throughput sender keeps waiting for their ack. */
  window: number;
  receivers: number;
  broadcasts: number;
  failoverClients: number;
}

type Setup = { name: 'single' | 'cluster R1' | 'cluster R3'; replicas?: 1 | 3 };
const SETUPS: Setup[] = [{ name: 'single' }, { name: 'cluster R1', replicas: 1 }, { name: 'cluster R3', replicas: 3 }];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Client i's relay: senders (even i) on one relay, their receivers (odd i) on the next. */
const crossRelay = (relays: number) => (i: number) => Math.floor(i / 2 + (i % 2)) % relays;

/** When each text arrived at `client`. */
function arrivals(client: ChaosClient, prefix: string): Map<string, number> {
  const at = new Map<string, number>();
  for (const d of client.deliveries) if (d.text.startsWith(prefix)) at.set(d.text, d.at);
  return at;
}

async function latency(ports: number[], spec: ClusterSpec): Promise<Record<string, number>> {
  const clients = await connectFleet(spec.pairs * 2, ports, 25, crossRelay(ports.length));
  try {
    const sentAt = new Map<string, { at: number; to: ChaosClient }>();
    let k = 0;
    const start = performance.now();
    // Paced by the clock, not by ticks: on a busy machine ticks come late, and the rate must hold.
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * spec.rate) / 1000);
      while (k < due) {
        const pair = k % spec.pairs;
        const text = `lat ${k++}`;
        const to = clients[pair * 2 + 1];
        if (performance.now() - start >= spec.warmMs) sentAt.set(text, { at: performance.now(), to });
        void clients[pair * 2].client.send([to.clientId], text).catch(() => undefined);
      }
    }, 10);
    await sleep(spec.warmMs + spec.measureMs);
    clearInterval(timer);
    await sleep(2000);
    const heard = new Map(clients.filter((_, i) => i % 2 === 1).map((c) => [c, arrivals(c, 'lat ')]));
    const ms: number[] = [];
    let lost = 0;
    for (const [text, { at, to }] of sentAt) {
      const got = heard.get(to)!.get(text);
      if (got === undefined) lost++;
      else ms.push(got - at);
    }
    ms.sort((a, b) => a - b);
    return { p50Ms: round3(percentile(ms, 50)), p99Ms: round3(percentile(ms, 99)), measured: sentAt.size, lost };
  } finally {
    await closeFleet(clients);
  }
}

async function throughput(ports: number[], spec: ClusterSpec): Promise<Record<string, number>> {
  const clients = await connectFleet(spec.pairs * 2, ports, 25, crossRelay(ports.length));
  let stop = false;
  let k = 0;
  try {
    const pump = async (sender: ChaosClient, to: ChaosClient) => {
      while (!stop) await sender.client.send([to.clientId], `tp ${k++}`).catch(() => sleep(10));
    };
    const pumps: Promise<void>[] = [];
    for (let p = 0; p < spec.pairs; p++) for (let w = 0; w < spec.window; w++) pumps.push(pump(clients[p * 2], clients[p * 2 + 1]));
    await sleep(spec.warmMs);
    const from = performance.now();
    await sleep(spec.measureMs);
    const to = performance.now();
    stop = true;
    await Promise.all(pumps);
    const delivered = clients.reduce((n, c) => n + c.deliveries.filter((d) => d.text.startsWith('tp ') && d.at >= from && d.at < to).length, 0);
    return { deliveredPerSec: Math.round(delivered / ((to - from) / 1000)) };
  } finally {
    stop = true;
    await closeFleet(clients);
  }
}

/** One sender, `receivers` spread over the relays: how long until a broadcast reached everyone. */
async function fanout(ports: number[], spec: ClusterSpec): Promise<Record<string, number>> {
  const clients = await connectFleet(spec.receivers + 1, ports);
  try {
    const sentAt: number[] = [];
    for (let b = 0; b < spec.broadcasts; b++) {
      sentAt.push(performance.now());
      void clients[0].client.send('all', `fan ${b}`).catch(() => undefined);
      await sleep(50);
    }
    await sleep(3000);
    const receivers = clients.slice(1).map((c) => arrivals(c, 'fan '));
    const complete: number[] = [];
    let deliveries = 0;
    let last = 0;
    for (let b = 0; b < spec.broadcasts; b++) {
      const at = receivers.map((r) => r.get(`fan ${b}`));
      deliveries += at.filter((t) => t !== undefined).length;
      if (at.every((t) => t !== undefined)) complete.push(Math.max(...(at as number[])) - sentAt[b]);
      last = Math.max(last, ...at.filter((t): t is number => t !== undefined));
    }
    complete.sort((a, b) => a - b);
    return {
      deliveriesPerSec: Math.round(deliveries / ((last - sentAt[0]) / 1000)),
      everyoneP50Ms: round3(percentile(complete, 50)),
      everyoneP99Ms: round3(percentile(complete, 99)),
      incomplete: spec.broadcasts - complete.length,
    };
  } finally {
    await closeFleet(clients);
  }
}

/**
 * kill -9 the last relay with `failoverClients` people on it; a prober on the first relay writes
 * to each at once, and each has a message queued to the prober. A person is back when both
 * arrived. Alone, the relay is started again in place (what a supervisor does); in the cluster
 * its people move to the next relay.
 */
async function failover(relays: RelayProcess[], spec: ClusterSpec): Promise<Record<string, number>> {
  const ports = relays.map((r) => r.port);
  const victim = relays.length - 1;
  const clients = await connectFleet(spec.failoverClients + 1, ports, 25, (i) => (i === 0 ? 0 : victim));
  try {
    const [prober, ...moved] = clients;
    const killedAt = performance.now();
    await relays[victim].kill9();
    if (relays.length === 1) void relays[victim].restart();
    const back = moved.map(async (c) => {
      const acked = c.client.send([prober.clientId], `back ${c.index}`).then(() => performance.now());
      const heard = prober.client.send([c.clientId], `probe ${c.index}`).then(async () => {
        while (!c.deliveries.some((d) => d.text === `probe ${c.index}`)) await sleep(10);
        return c.deliveries.find((d) => d.text === `probe ${c.index}`)!.at;
      });
      return Math.max(await acked, await heard) - killedAt;
    });
    const ms = (await Promise.race([Promise.all(back), sleep(30_000).then(() => [] as number[])])).sort((a, b) => a - b);
    return { backP50Ms: round3(percentile(ms, 50)), backMaxMs: round3(ms.at(-1) ?? NaN), notBack: moved.length - ms.length };
  } finally {
    await closeFleet(clients);
  }
}

/** Runs W10; `cli` is the team-messenger CLI script the relays are started with. */
export async function runCluster(spec: ClusterSpec, cli: string, log: (line: string) => void): Promise<Record<string, unknown>> {
  const figures: Record<string, Record<string, Record<string, number>>> = {};
  for (const setup of SETUPS) {
    let nats: NatsCluster | undefined;
    let relays: RelayProcess[] = [];
    try {
      if (setup.replicas) nats = await startNats({ nodes: 3 });
      relays = await startRelayProcesses(setup.replicas ? 3 : 1, { cli, ...(nats ? { natsUrls: nats.urls, replicas: setup.replicas } : {}) });
      const ports = relays.map((r) => r.port);
      const f: Record<string, Record<string, number>> = {};
      f.latency = await latency(ports, spec);
      f.throughput = await throughput(ports, spec);
      f.fanout = await fanout(ports, spec);
      f.failover = await failover(relays, spec);
      figures[setup.name] = f;
      log(`${setup.name}: ${JSON.stringify(f)}`);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await nats?.stop();
    }
  }
  return { ...figures, ratios: ratios(figures) };
}

/** Each cluster figure divided by the single relay's (latency and failover: > 1 is slower). */
function ratios(figures: Record<string, Record<string, Record<string, number>>>): Record<string, Record<string, number>> {
  const single = figures.single;
  const out: Record<string, Record<string, number>> = {};
  for (const name of ['cluster R1', 'cluster R3']) {
    const f = figures[name];
    const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    out[name] = {
      latencyP50: r(f.latency.p50Ms, single.latency.p50Ms),
      latencyP99: r(f.latency.p99Ms, single.latency.p99Ms),
      throughput: r(f.throughput.deliveredPerSec, single.throughput.deliveredPerSec),
      fanoutDeliveriesPerSec: r(f.fanout.deliveriesPerSec, single.fanout.deliveriesPerSec),
      failoverMax: r(f.failover.backMaxMs, single.failover.backMaxMs),
    };
  }
  return out;
}
