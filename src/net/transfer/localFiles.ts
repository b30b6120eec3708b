import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Limits } from '../protocol/messages';

/** A file on this machine about to be offered, with the name the receiver will see. */
export interface LocalFile {
  path: string;
  /** Relative, '/'-separated: a folder's files keep their place under the folder's name. */
  name: string;
  size: number;
}

/**
 * Expands what the user picked (files and folders) into the list of files to offer. Folders
 * are walked recursively; symbolic links are not followed (they could point anywhere, or loop).
 */
export async function collectFiles(paths: string[]): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  for (const p of paths) {
    const absolute = path.resolve(p);
    const stat = await fs.lstat(absolute).catch((err: NodeJS.ErrnoException) => {
      throw new Error(err.code === 'ENOENT' ? `no such file: ${p}` : `cannot read ${p}: ${err.message}`);
    });
    if (stat.isFile()) out.push({ path: absolute, name: path.basename(absolute), size: stat.size });
    else if (stat.isDirectory()) await walk(absolute, path.basename(absolute), out);
    else throw new Error(`${p} is not a regular file or folder`);
    if (out.length > Limits.filesPerOffer) throw new Error(`more than ${Limits.filesPerOffer} files in one offer`);
  }
  if (out.length === 0) throw new Error('nothing to send: the folders are empty');
  return out;
}

async function walk(dir: string, prefix: string, out: LocalFile[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const name = `${prefix}/${entry.name}`;
    if (entry.isFile()) out.push({ path: full, name, size: (await fs.stat(full)).size });
    else if (entry.isDirectory()) await walk(full, name, out);
    if (out.length > Limits.filesPerOffer) return;
  }
}
