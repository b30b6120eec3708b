import { createStreamLogger } from '../net/logger';
import { collectFiles } from '../net/transfer/localFiles';
import type { OutgoingTransfer } from '../net/transfer/outgoingTransfer';
import { createClient } from './clientSetup';
import { parseLogLevel } from './logLevel';
import { clientOptions, parse, parsePositiveInt, UsageError } from './options';

/**
 * `team-messenger send-file`: offers files and folders to one peer and waits until the peer
 * has verified every checksum (exit 0), declined (exit 6) or something failed. Survives a
 * disconnect mid-transfer by resuming where the receiver stopped.
 */
export async function sendFileCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, {
    ...clientOptions,
    to: { type: 'string' },
    'chunk-size': { type: 'string' },
  });
  if (!values.to) throw new UsageError('say who receives the files: --to NAME');
  if (positionals.length === 0) throw new UsageError('name at least one file or folder to send');
  const chunkBytes = parsePositiveInt('chunk-size', values['chunk-size'], 64 * 1024);
  if (chunkBytes > 1024 * 1024) throw new UsageError('--chunk-size is at most 1048576');

  // Listed before connecting: a typo in a path should not even reach the relay.
  const files = await collectFiles(positionals).catch((err: Error) => {
    throw new UsageError(err.message);
  });
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'warn'));
  const client = createClient(values, env, logger, 'after-first-connect');
  const json = values.json === true;
  const say = (event: Record<string, unknown>, human: string) => {
    if (json) process.stdout.write(JSON.stringify(event) + '\n');
    else process.stderr.write(human + '\n');
  };
  try {
    await client.connect();
    const to = await client.resolvePeer(values.to);
    const transfer = client.transfers.send(to, files, { chunkBytes });
    await followTransfer(transfer, values.to, say);
    say({ type: 'done', files: transfer.files.length, size: transfer.total }, 'all files delivered and verified');
    return 0;
  } finally {
    await client.close();
  }
}

/** Says what an event means: one JSON object a line with --json, else a line for people (stderr). */
export type Say = (event: Record<string, unknown>, human: string) => void;

/**
 * Follows one outgoing transfer to its end, saying what happens (offered, progress at most once
 * a second, interrupted, each file verified). Resolves when the receiver verified every file;
 * rejects with why not (declined, cancelled, expired: exit 6; see options.ts).
 */
export async function followTransfer(transfer: OutgoingTransfer, to: string, say: Say): Promise<void> {
  say(
    { type: 'offered', to, files: transfer.files.map((f) => ({ name: f.name, size: f.size })), size: transfer.total },
    `offered ${transfer.files.length} file(s), ${transfer.total} bytes, to ${to}; waiting for an answer…`,
  );
  let lastShown = 0;
  transfer.on('progress', (p) => {
    if (Date.now() - lastShown < 1000 && p.bytes < p.total) return;
    lastShown = Date.now();
    say(
      { type: 'progress', to, bytes: p.bytes, total: p.total, rate: Math.round(p.rate), eta: p.etaSeconds === undefined ? null : Math.round(p.etaSeconds) },
      `${p.file}: ${Math.floor((100 * p.bytes) / Math.max(1, p.total))}% at ${(p.rate / 1e6).toFixed(1)} MB/s`,
    );
  });
  transfer.on('state', (state) => {
    if (state === 'interrupted') say({ type: 'interrupted', to }, 'connection interrupted; will resume when both sides are back');
  });
  transfer.on('file-done', (f) =>
    say({ type: 'file-sent', to, name: f.name, size: f.size, sha256: f.sha256 }, `${f.name}: delivered to ${to} and verified (sha256 ${f.sha256})`),
  );
  await transfer.done;
}
