import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createStreamLogger, Logger } from '../net/logger';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { randomToken } from '../net/randomToken';
import { Relay, RelayAuth, relayNodeFlags } from '../server/relay';
import { reachableAddresses } from '../server/lanAddresses';
import { ClusterOptions, parseClusterOptions } from '../server/cluster/clusterOptions';
import { parseLogLevel } from './logLevel';
import { parse, parsePort, parsePositiveInt, readSecret, UsageError } from './options';
import { relaySecretFile } from './paths';
import { relayTls } from './tlsSetup';

/**
 * `team-messenger relay`: the headless relay for a team server. Runs until SIGINT/SIGTERM,
 * then shuts down gracefully (clients are told, queues flushed).
 */
export async function relayCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const missing = relayNodeFlags(os.availableParallelism()).filter((flag) => !process.execArgv.includes(flag));
  if (missing.length > 0 && env[RESTARTED] !== '1') return restartWithFlags(missing, env);
  const { values, positionals } = parse(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    secret: { type: 'string' },
    'secret-file': { type: 'string' },
    'no-auth': { type: 'boolean' },
    'history-dir': { type: 'string' },
    'history-max': { type: 'string' },
    'history-max-days': { type: 'string' },
    'history-max-mb': { type: 'string' },
    'log-level': { type: 'string' },
    plain: { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'max-connections': { type: 'string' },
    'max-per-address': { type: 'string' },
    'max-startups': { type: 'string' },
    'max-startups-per-address': { type: 'string' },
    'throttle-bytes-per-second': { type: 'string' },
    'full-presence-limit': { type: 'string' },
    cluster: { type: 'string' },
    'cluster-replicas': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const cluster = clusterOption(values);
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'info'));
  const secret = readSecret(values, env);
  if (values['no-auth'] && secret !== undefined) throw new UsageError('--no-auth and a team secret contradict each other');
  const auth: RelayAuth = values['no-auth'] ? { noAuth: true } : { secret: secret ?? loadOrCreateRelaySecret(env, logger) };
  if (values['no-auth']) logger.warn('authentication is OFF: anyone who can reach this port can join');

  // Said before the relay listens: whoever waits for "relay listening" has read this too.
  if (relayNodeFlags(1).every((flag) => process.execArgv.includes(flag))) {
    logger.info('one CPU to run on: garbage collection runs on the event loop thread, and V8 keeps one helper thread');
  }
  const tls = relayTls(values, env, logger);
  if (!tls) logger.warn('TLS is OFF (--plain): messages and files cross the network unencrypted');
  const relay = new Relay({
    host: values.host,
    port: parsePort(values.port, DEFAULT_PORT),
    auth,
    historyDir: values['history-dir'],
    ...historyRetention(values),
    tls: tls ? { certPem: tls.certPem, keyPem: tls.keyPem } : false,
    admission: {
      ...(values['max-connections'] ? { maxConnections: parsePositiveInt('max-connections', values['max-connections'], 0) } : {}),
      ...(values['max-per-address'] ? { maxConnectionsPerAddress: parsePositiveInt('max-per-address', values['max-per-address'], 0) } : {}),
      ...(values['max-startups'] ? { maxStartups: parsePositiveInt('max-startups', values['max-startups'], 0) } : {}),
      ...(values['max-startups-per-address']
        ? { maxStartupsPerAddress: parsePositiveInt('max-startups-per-address', values['max-startups-per-address'], 0) }
        : {}),
    },
    ...(values['throttle-bytes-per-second']
      ? { throttleBytesPerSecond: parsePositiveInt('throttle-bytes-per-second', values['throttle-bytes-per-second'], 0) }
      : {}),
    ...(values['full-presence-limit'] ? { fullPresenceLimit: parsePositiveInt('full-presence-limit', values['full-presence-limit'], 0) } : {}),
    ...(cluster ? { cluster } : {}),
    logger,
  });
  const address = await relay.start();
  logger.info('teammates connect to', { addresses: reachableAddresses(values.host, address.port).join(' ') });
  if (tls) logger.info('TLS certificate fingerprint (SHA-256); teammates compare it when they first connect', { fingerprint: tls.fingerprint });

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      logger.info('stopping', { signal });
      relay.stop(`relay stopped (${signal})`).then(resolve, resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (env[RESTARTED] === '1' && process.channel) {
      // Started again with its flags by the `relay` command: stop when that process is gone.
      process.channel.unref();
      process.once('disconnect', () => stop('the starting process exited'));
    }
  });
  return 0;
}

/** `--cluster URLS [--cluster-replicas N]`: join a cluster of relays through NATS JetStream. */
function clusterOption(values: { cluster?: string; 'cluster-replicas'?: string }): ClusterOptions | undefined {
  if (values.cluster === undefined) {
    if (values['cluster-replicas'] !== undefined) throw new UsageError('--cluster-replicas needs --cluster');
    return undefined;
  }
  const options = parseClusterOptions(values.cluster, values['cluster-replicas']);
  if (options instanceof Error) throw new UsageError(options.message);
  return options;
}

/** Most bytes of history the relay may hold (its records' offsets are 32-bit). */
const MAX_HISTORY_MB = 4095;

/**
 * `--history-max N` (records), `--history-max-days D` and `--history-max-mb M`: what the history
 * keeps, each bound on its own; those not given keep the history's defaults (history.ts).
 */
function historyRetention(values: { 'history-max'?: string; 'history-max-days'?: string; 'history-max-mb'?: string }): {
  historyMaxEntries?: number;
  historyMaxAgeMs?: number;
  historyMaxBytes?: number;
} {
  const out: { historyMaxEntries?: number; historyMaxAgeMs?: number; historyMaxBytes?: number } = {};
  if (values['history-max'] !== undefined) out.historyMaxEntries = parsePositiveInt('history-max', values['history-max'], 0);
  if (values['history-max-days'] !== undefined) out.historyMaxAgeMs = parsePositiveInt('history-max-days', values['history-max-days'], 0) * 24 * 3600 * 1000;
  if (values['history-max-mb'] !== undefined) {
    const mb = parsePositiveInt('history-max-mb', values['history-max-mb'], 0);
    if (mb > MAX_HISTORY_MB) throw new UsageError(`--history-max-mb is at most ${MAX_HISTORY_MB}`);
    out.historyMaxBytes = mb * 1024 * 1024;
  }
  return out;
}

/** Set in the environment of a relay started again with its flags, so it never loops. */
const RESTARTED = 'TEAM_MESSENGER_RELAY_RESTARTED';

/**
 * Runs this same command again in a Node started with `flags` (relayNodeFlags), passing the
 * terminal, SIGINT/SIGTERM/SIGHUP and the exit code through: to whoever started it, it is the
 * relay.
 */
function restartWithFlags(flags: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    // The IPC channel is how the relay learns that this process is gone, even by SIGKILL.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // Its own process group: a Ctrl-C reaches it once, forwarded from here, not twice (a
    // second SIGINT is the relay's "stop now, without the graceful part").
    detached: process.platform !== 'win32',
    env: { ...env, [RESTARTED]: '1' },
  });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve) => {
    const done = (code: number) => {
      for (const signal of signals) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`cannot start the relay: ${err.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
  });
}

/**
 * A relay started with no secret gets one of its own, kept for the next start, so the
 * zero-configuration start is still authenticated.
 */
function loadOrCreateRelaySecret(env: NodeJS.ProcessEnv, logger: Logger): string {
  const file = relaySecretFile(env);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) {
      logger.info('using the team secret stored in the relay folder', { file });
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const secret = randomToken(18);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  logger.info('generated a team secret; share it with your team', { secret, file });
  return secret;
}
