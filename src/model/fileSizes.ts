/**
 * How files are named in one line of text, the same in notifications and in the chat's cards:
 * "notes.txt", "folder docs (3 files)", "3 files", and sizes as "12 KB".
 */

/** What an offer holds, from its (relative, '/'-separated) file names. */
export function describeWhat(names: readonly string[]): string {
  const first = names[0]?.split('/')[0] ?? 'files';
  if (names.length === 1) return names[0];
  return names.every((n) => n.startsWith(first + '/')) ? `folder ${first} (${names.length} files)` : `${names.length} files`;
}

/** What an offer holds, with its total size: "notes.txt (12 KB)". */
export function describeFiles(names: readonly string[], total: number): string {
  return `${describeWhat(names)} (${formatBytes(total)})`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
