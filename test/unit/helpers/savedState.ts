/**
 * Helpers for the tests of what the extension saves between sessions: VS Code's Memento in
 * memory, the corrupt values each saved part must survive, and what surviving one looks like.
 */
import { strict as assert } from 'node:assert';
import type { KeyValueStore } from '../../../src/model/savedState';
import type { LogCapture } from './security';

/** VS Code's Memento in memory: values go through JSON as they would to disk, undefined deletes. */
export class MemoryState implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    return Promise.resolve();
  }
}

/** Values no saved part is: put straight into `values`, as a damaged store would hold them. */
export const CORRUPT: [string, () => unknown][] = [
  ['a wrong type', () => 42],
  ['a garbage string', () => '\u0000{"garbage'],
  ['null', () => null],
  ['an object failing the schema', () => ({ version: 99, epoch: 7, seq: -1, conversations: 'none' })],
  [
    'an object whose getter throws',
    () =>
      Object.defineProperty({}, 'epoch', {
        enumerable: true,
        get() {
          throw new Error('hostile getter');
        },
      }),
  ],
  [
    'an object with a cycle',
    () => {
      const value: Record<string, unknown> = {};
      value.self = value;
      return value;
    },
  ],
];

/** What discarding one part looks like: the key cleared and one warning naming the part. */
export function assertDiscarded(state: MemoryState, log: LogCapture, key: string, what: string, why?: RegExp): void {
  assert.equal(state.values.has(key), false, `${key} is cleared`);
  assert.equal(log.entries.length, 1, `one log line: ${JSON.stringify(log.entries)}`);
  const [entry] = log.entries;
  assert.equal(entry.level, 'warn');
  assert.ok(entry.message.startsWith(`${what} could not be restored (`), entry.message);
  assert.deepEqual(entry.fields, { key });
  if (why) assert.match(entry.message, why);
}
