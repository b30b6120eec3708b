import * as nodePath from 'node:path';

/**
 * Paths from peers made into files inside the receiver's workspace, and nowhere else. A peer's
 * path is text from anyone: `../../.ssh/id_rsa`, `/etc/passwd`, `C:\Windows\…` or a UNC share
 * must never open. A repository-relative path is checked strictly; a path seen in a stack trace
 * (often the sender's absolute path) is only ever tried below the receiver's workspace folders.
 */

export type PathFlavour = 'posix' | 'win32';

/** The longest path accepted from a peer. */
export const MAX_PATH_CHARS = 1024;
/** The most places one location is tried at (each costs the extension a stat). */
export const MAX_CANDIDATES = 32;

/**
 * Why `relative` is not a safe repository-relative path ('/'-separated, no `.`/`..` parts, not
 * absolute, no backslash or colon, which Windows reads as a separator or a drive or data stream),
 * or undefined when it is one.
 */
export function relativePathProblem(relative: string): string | undefined {
  if (relative.length === 0) return 'the path is empty';
  if (relative.length > MAX_PATH_CHARS) return `the path is longer than ${MAX_PATH_CHARS} characters`;
  if (/[\u0000-\u001f\u007f]/.test(relative)) return 'the path has control characters';
  if (relative.startsWith('/') || relative.startsWith('~')) return 'the path is absolute';
  if (/[\\:]/.test(relative)) return 'the path has a backslash or a colon';
  const parts = relative.split('/');
  if (parts.some((part) => part === '..')) return 'the path leaves its folder (..)';
  if (parts.some((part) => part === '' || part === '.')) return 'the path has an empty part';
  return undefined;
}

/** Whether `target` is `root` or below it (both absolute, in the same flavour). */
export function isInside(root: string, target: string, flavour: PathFlavour = hostFlavour()): boolean {
  const path = nodePath[flavour];
  if (!path.isAbsolute(root) || !path.isAbsolute(target)) return false;
  const relative = path.relative(root, target);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** `root` joined with a repository-relative path, or undefined when that would not stay inside. */
export function joinInside(root: string, relative: string, flavour: PathFlavour = hostFlavour()): string | undefined {
  if (relativePathProblem(relative) !== undefined) return undefined;
  const target = nodePath[flavour].join(root, ...relative.split('/'));
  return isInside(root, target, flavour) ? target : undefined;
}

/**
 * Where a path seen in text (a stack trace, a compiler message, `path:line` typed by a person)
 * may be in this workspace, best first, each inside one of `roots`:
 * - an absolute path inside a root is itself;
 * - a relative path is tried below each root;
 * - then the path's tails (`/home/bob/app/src/a.ts` → `app/src/a.ts`, `src/a.ts`, `a.ts`) below
 *   each root, longest first: the sender's checkout is somewhere else on their machine.
 * An absolute path outside every root is never a candidate itself. Empty when nothing is safe
 * to try (a device or UNC path, control characters, no file name).
 */
export function locationCandidates(roots: readonly string[], seen: string, flavour: PathFlavour = hostFlavour()): string[] {
  const path = nodePath[flavour];
  const text = fromFileUrl(seen.trim());
  if (text === undefined || text.length === 0 || text.length > MAX_PATH_CHARS || /[\u0000-\u001f\u007f]/.test(text)) return [];
  if (/^[\\/]{2}/.test(text)) return []; // UNC (`\\server\share`) and device (`\\?\`, `\\.\`) paths
  const candidates: string[] = [];
  const add = (candidate: string) => {
    if (candidates.length < MAX_CANDIDATES && !candidates.includes(candidate) && roots.some((root) => isInside(root, candidate, flavour))) {
      candidates.push(candidate);
    }
  };
  if (path.isAbsolute(text)) add(path.normalize(text));
  // Only what follows a path's last `..` can be placed (the directory it ran in is unknown), and
  // no tail holds `..`, so every join below stays below its root.
  const parts = text.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (parts.length > 0 && /^[a-z]:$/i.test(parts[0]!)) parts.shift();
  const usable = parts.slice(parts.lastIndexOf('..') + 1);
  for (let from = 0; from < usable.length; from++) {
    for (const root of roots) add(path.join(root, ...usable.slice(from)));
  }
  return candidates;
}

/** A glob for VS Code's findFiles that finds `tail` at any depth (Java names files by package). */
export function tailGlob(tail: string): string | undefined {
  if (relativePathProblem(tail) !== undefined || /[*?[\]{}!]/.test(tail)) return undefined;
  return `**/${tail}`;
}

/** A `file:` URL's path, or the text itself when it is no URL; undefined when it cannot be decoded. */
function fromFileUrl(text: string): string | undefined {
  if (!/^file:\/\//i.test(text)) return text;
  try {
    const path = decodeURIComponent(text.slice('file://'.length).replace(/^localhost(?=\/)/i, ''));
    return /^\/[a-z]:[\\/]/i.test(path) ? path.slice(1) : path;
  } catch {
    return undefined;
  }
}

function hostFlavour(): PathFlavour {
  return nodePath.sep === '\\' ? 'win32' : 'posix';
}
