import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../net/atomicFile';
import type { Logger } from '../net/logger';
import { type KeyValueStore, reasonOf } from './savedState';

/** Larger than this is not one of ours: it is set aside, not read into memory. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * A key-value store in one JSON file, for what must survive the very next moment: a trust
 * decision is on disk as soon as its write resolves, where VS Code's global state in a browser
 * workbench is written when the page is idle (a reload right after could lose it). Every read
 * looks at the file, and every write changes one key of what is there now, so windows sharing
 * the folder see each other's writes. The file is small and written whole (writeFileAtomic: a
 * crash leaves the old file or the new, never half of one). An unreadable file is moved aside
 * (said in the log) before a write replaces it. No `vscode`.
 */
export class JsonFileStore implements KeyValueStore {
  private toldUnreadable = false;

  constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  get<T>(key: string): T | undefined {
    const entries = this.load();
    return entries && Object.hasOwn(entries, key) ? (entries[key] as T) : undefined;
  }

  /** Sets `key` (undefined removes it); resolves once the file holds it, rejects when it cannot. */
  update(key: string, value: unknown): Promise<void> {
    try {
      this.write(key, value);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** The file's entries: {} when there is none, undefined when it cannot be read as ours. */
  private load(): Record<string, unknown> | undefined {
    let text: string;
    try {
      if (fs.statSync(this.file).size > MAX_FILE_BYTES) return this.unreadable(`larger than ${MAX_FILE_BYTES} bytes`);
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return this.unreadable(reasonOf(err));
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      return this.unreadable('not a JSON object');
    } catch (err) {
      return this.unreadable(reasonOf(err));
    }
  }

  private write(key: string, value: unknown): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let entries = this.load();
    if (!entries) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.logger.warn('set an unreadable saved file aside before writing a new one', { file: this.file, aside });
      this.toldUnreadable = false;
      entries = {};
    }
    if (value === undefined) delete entries[key];
    else entries[key] = value;
    writeFileAtomic(this.file, `${JSON.stringify(entries, undefined, 2)}\n`);
  }

  private unreadable(why: string): undefined {
    if (!this.toldUnreadable) this.logger.warn('a saved file could not be read; it is set aside at the next write', { file: this.file, why });
    this.toldUnreadable = true;
    return undefined;
  }
}
