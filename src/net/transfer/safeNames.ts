import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * File names come from peers and are hostile until proven otherwise. A received file may only
 * ever land inside the download folder, under a name every file system accepts, and never on
 * top of an existing file.
 */

/** Windows device names: `con`, `nul.txt`, `COM1` and the like open devices, not files. */
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;
/** Characters no common file system takes, and every control character. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f<>:"|?*\\\u202a-\u202e\u2066-\u2069]/g;
const MAX_COMPONENT_BYTES = 200;
const MAX_DEPTH = 32;

/** One path component made safe; never empty, never `.` or `..`. */
export function safeComponent(raw: string): string {
  let name = raw.normalize('NFC').replace(FORBIDDEN, '_');
  // Windows drops trailing dots and spaces, which would let `evil.` collide with `evil`.
  name = name.replace(/[. ]+$/, '').replace(/^ +/, '');
  if (name === '' || name === '.' || name === '..') name = '_';
  // `con .txt` is the console device too: Windows ignores spaces before the extension.
  const stem = name.split('.')[0].trimEnd();
  if (DEVICE.test(stem)) name = `_${name}`;
  if (Buffer.byteLength(name) > MAX_COMPONENT_BYTES) {
    name = truncateKeepingExtension(name, MAX_COMPONENT_BYTES).replace(/[. ]+$/, '');
    if (name === '') name = '_';
  }
  return name;
}

/**
 * A peer's relative path (`docs/a.txt`, `..\\..\\etc\\passwd`, `C:\\x`, `/etc/passwd`) as safe
 * components relative to the download folder. `.` and `..` are dropped, never followed.
 */
export function safeRelativePath(raw: string): string[] {
  const parts = raw
    .split(/[\\/]+/)
    .filter((p) => p !== '' && p !== '.' && p !== '..')
    .map((p) => safeComponent(p));
  if (parts.length === 0) return ['unnamed'];
  // A drive letter (`C:` became `C_`) as the first of several parts is not a folder anyone meant.
  if (parts.length > 1 && /^[A-Za-z]_$/.test(parts[0])) parts.shift();
  return parts.slice(-MAX_DEPTH);
}

/** The absolute path for `parts` under `root`; throws if it would not be inside `root`. */
export function resolveInside(root: string, parts: string[]): string {
  const base = path.resolve(root);
  const target = path.resolve(base, ...parts);
  const relative = path.relative(base, target);
  // `..name` is a fine file name; only `..` itself or `../…` leaves the folder.
  if (relative === '' || relative === '..' || relative.startsWith('..' + path.sep) || path.isAbsolute(relative)) {
    throw new Error(`refusing a path outside the download folder: ${JSON.stringify(parts.join('/'))}`);
  }
  return target;
}

/** `name`, or `name (1).ext`, `name (2).ext`, … : the first that does not exist in `dir`. */
export function uniqueName(dir: string, name: string, taken: (candidate: string) => boolean = (c) => fs.existsSync(path.join(dir, c))): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; i < 100_000; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
  throw new Error(`no free name for ${name} in ${dir}`);
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = ext ? name.slice(0, dot) : name;
  while (Buffer.byteLength(stem + ext) > maxBytes) stem = [...stem].slice(0, -1).join('');
  return stem + ext;
}
