import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createStreamLogger, Logger } from '../net/logger';
import { DEFAULT_PORT, Relay, RelayAuth } from '../server/relay';
import { reachableAddresses } from '../server/lanAddresses';
import { parseLogLevel } from './logLevel';
import { parse, parsePort, parsePositiveInt, readSecret, UsageError } from './options';
import { relaySecretFile } from './paths';
import { relayTls } from './tlsSetup';

/**
 * `team-messenger relay`: the headless relay for a team server. Runs until SIGINT/SIGTERM,
 * then shuts down gracefully (clients are told, queues flushed).
 */
export async function relayCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    secret: { type: 'string' },
    'secret-file': { type: 'string' },
    'no-auth': { type: 'boolean' },
    'history-dir': { type: 'string' },
    'history-max': { type: 'string' },
    'log-level': { type: 'string' },
    plain: { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'max-connections': { type: 'string' },
    'max-per-address': { type: 'string' },
    'throttle-bytes-per-second': { type: 'string' },
    'full-presence-limit': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'info'));
  const secret = readSecret(values, env);
  if (values['no-auth'] && secret !== undefined) throw new UsageError('--no-auth and a team secret contradict each other');
  const auth: RelayAuth = values['no-auth'] ? { noAuth: true } : { secret: secret ?? loadOrCreateRelaySecret(env, logger) };
  if (values['no-auth']) logger.warn('authentication is OFF: anyone who can reach this port can join');

  const tls = relayTls(values, env, logger);
  if (!tls) logger.warn('TLS is OFF (--plain): messages and files cross the network unencrypted');
  const relay = new Relay({
    host: values.host,
    port: parsePort(values.port, DEFAULT_PORT),
    auth,
    historyDir: values['history-dir'],
    historyMaxEntries: parsePositiveInt('history-max', values['history-max'], 10_000),
    tls: tls ? { certPem: tls.certPem, keyPem: tls.keyPem } : false,
    admission: {
      ...(values['max-connections'] ? { maxConnections: parsePositiveInt('max-connections', values['max-connections'], 0) } : {}),
      ...(values['max-per-address'] ? { maxConnectionsPerAddress: parsePositiveInt('max-per-address', values['max-per-address'], 0) } : {}),
    },
    ...(values['throttle-bytes-per-second'] ? { throttleBytesPerSecond: parsePositiveInt('throttle-bytes-per-second', values['throttle-bytes-per-second'], 0) } : {}),
    ...(values['full-presence-limit'] ? { fullPresenceLimit: parsePositiveInt('full-presence-limit', values['full-presence-limit'], 0) } : {}),
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
  });
  return 0;
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
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const secret = crypto.randomBytes(18).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  logger.info('generated a team secret; share it with your team', { secret, file });
  return secret;
}
