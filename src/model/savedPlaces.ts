import * as path from 'node:path';
import type { ReceivedFile } from '../net/transfer/incomingTransfer';
import type { SavedPlace } from './fileCardTypes';

/** Loose files listed one by one on a card; the rest are counted. */
export const MAX_PLACES = 20;

/**
 * Where an offer landed, as the user thinks of it: a folder offer is one place (its folder),
 * loose files are one place each. A place saved under another name than the one offered says
 * so (`offeredName`): the name existed ("notes (1).txt"), or the disk could not take it.
 */
export function savedPlaces(downloadDir: string, received: readonly ReceivedFile[]): { places: SavedPlace[]; more: number } {
  const root = path.resolve(downloadDir);
  const places: SavedPlace[] = [];
  const folders = new Set<string>();
  let more = 0;
  for (const file of received) {
    const onDisk = path.relative(root, file.path).split(path.sep);
    const folder = onDisk.length > 1;
    const name = onDisk[0];
    if (folder && folders.has(name)) continue;
    if (folder) folders.add(name);
    if (places.length >= MAX_PLACES) {
      more++;
      continue;
    }
    // The sender's parts as it wrote them ('.' and '..' are never followed, so not compared).
    const offered = file.name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
    const offeredName = (folder ? offered[0] : offered[offered.length - 1]) ?? file.name;
    places.push({
      name,
      path: folder ? path.join(root, name) : file.path,
      folder,
      ...(offeredName !== name ? { offeredName } : {}),
    });
  }
  return { places, more };
}
