import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import type { Logger } from '../../net/logger';

/**
 * Watches every key of a KV bucket: `apply` gets each key's latest value first, then every
 * change. Resolves once the values the bucket held when called are all applied (a relay loads
 * its state before it listens); stop the returned watch when done.
 */
export async function watchBucket(kv: KV, name: string, apply: (entry: KvWatchEntry) => void, logger: Logger): Promise<QueuedIterator<KvWatchEntry>> {
  const { state } = (await kv.status()).streamInfo;
  const watcher = await kv.watch();
  await new Promise<void>((resolve, reject) => {
    // The watch starts with every key's latest value; the newest revision of all comes last.
    if (state.messages === 0) resolve();
    void (async () => {
      for await (const entry of watcher) {
        apply(entry);
        if (entry.revision >= state.last_seq) resolve();
      }
    })().catch((err: Error) => {
      logger.error('stopped watching a bucket', { bucket: name, error: err.message });
      reject(err);
    });
  });
  return watcher;
}
