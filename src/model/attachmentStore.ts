import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { safeComponent } from '../net/transfer/safeNames';

/** One file the store holds: its content hash and where it is. */
export interface StoredFile {
  sha256: string;
  path: string;
  size: number;
}

/** Default bound on what the store keeps (own images to answer requests, fetched ones to open). */
export const DEFAULT_STORE_BYTES = 500 * 1024 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The bytes of attachments, content-addressed on disk: `<root>/<sha256>/<name>`. It holds the
 * images the user sent (to answer readers' requests) and the ones fetched from others (opened
 * from here). The folder is the whole record (no index to go stale when two windows share it):
 * its modification time is its last use, and past `maxBytes` the least recently used go. A
 * folder appears by rename only once complete, so a half-written file is never found. No `vscode`.
 */
export class AttachmentStore {
  constructor(
    readonly root: string,
    private readonly maxBytes = DEFAULT_STORE_BYTES,
  ) {}

  /** Keeps `bytes` under `name` (made safe); the same bytes are kept once. */
  async put(bytes: Uint8Array, name: string): Promise<StoredFile> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const found = await this.get(sha256);
    if (found) return found;
    const staging = await this.staging();
    // A name only: whatever path it claims, the file stays in its folder.
    const file = path.join(staging, safeComponent(name.split(/[\\/]/).pop() ?? ''));
    try {
      await fs.writeFile(file, bytes);
      return await this.settle(staging, sha256);
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }

  /** The file with this hash, marked as just used; undefined when not (or no longer) here. */
  async get(sha256: string): Promise<StoredFile | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    const dir = path.join(this.root, sha256);
    const file = await onlyFile(dir);
    if (!file) return undefined;
    const now = new Date();
    await fs.utimes(dir, now, now).catch(() => undefined);
    return { sha256, path: file.path, size: file.size };
  }

  /** The file whose hash starts with `prefix` (an attachment id is one), if exactly one does. */
  async findByPrefix(prefix: string): Promise<StoredFile | undefined> {
    if (!/^[0-9a-f]{8,64}$/.test(prefix)) return undefined;
    const matches = (await this.entries()).filter((name) => name.startsWith(prefix));
    return matches.length === 1 ? this.get(matches[0]!) : undefined;
  }

  /** An empty folder for a transfer to land in; `adopt` it once the file has arrived, or `discard` it. */
  async staging(): Promise<string> {
    await fs.mkdir(this.root, { recursive: true });
    return fs.mkdtemp(path.join(this.root, '.in-'));
  }

  /**
   * Takes a received file (the only file in `staging`) in when its SHA-256 is `sha256`; a file
   * that is anything else is deleted and refused with the reason.
   */
  async adopt(staging: string, sha256: string): Promise<StoredFile> {
    try {
      const file = await onlyFile(staging);
      if (!file) throw new Error('nothing arrived');
      const actual = await hashFile(file.path);
      if (actual !== sha256) throw new Error('what arrived is not the file the message names (its SHA-256 differs)');
      return await this.settle(staging, sha256);
    } finally {
      await this.discard(staging);
    }
  }

  async discard(staging: string): Promise<void> {
    await fs.rm(staging, { recursive: true, force: true });
  }

  /** Moves a complete staging folder into place, then keeps the store within its bound. */
  private async settle(staging: string, sha256: string): Promise<StoredFile> {
    const dir = path.join(this.root, sha256);
    try {
      await fs.rename(staging, dir);
    } catch (err) {
      // Another window kept the same bytes meanwhile: theirs is as good.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
    }
    const stored = await this.get(sha256);
    if (!stored) throw new Error('the attachment could not be kept');
    await this.trim(sha256);
    return stored;
  }

  /** Deletes the least recently used files until the rest fit in `maxBytes` (never `keep`). */
  async trim(keep?: string): Promise<void> {
    const held: { name: string; used: number; size: number }[] = [];
    for (const name of await this.entries()) {
      const dir = path.join(this.root, name);
      const [stat, file] = await Promise.all([fs.stat(dir).catch(() => undefined), onlyFile(dir)]);
      if (stat && file) held.push({ name, used: stat.mtimeMs, size: file.size });
    }
    let total = held.reduce((n, e) => n + e.size, 0);
    held.sort((a, b) => a.used - b.used);
    for (const entry of held) {
      if (total <= this.maxBytes) break;
      if (entry.name === keep) continue;
      await fs.rm(path.join(this.root, entry.name), { recursive: true, force: true });
      total -= entry.size;
    }
  }

  /** The hashes held (staging folders and anything else left out). */
  private async entries(): Promise<string[]> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => SHA256.test(n));
  }
}

/** The one regular file directly in `dir`, if that is what it holds. */
async function onlyFile(dir: string): Promise<{ path: string; size: number } | undefined> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries || entries.length !== 1 || !entries[0]!.isFile()) return undefined;
  const file = path.join(dir, entries[0]!.name);
  const stat = await fs.stat(file).catch(() => undefined);
  return stat ? { path: file, size: stat.size } : undefined;
}

export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest('hex');
}
