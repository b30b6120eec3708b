import * as path from 'path';

/**
 * What a link in a message may lead to, checked on the extension's side (the webview's own
 * check is not trusted): a web or mail address, or a path to open from the receiver's workspace.
 * Pure: the panel resolves a workspace path against the folders itself (workspaceLinks.ts).
 */

export type LinkTarget = { kind: 'external'; url: string } | { kind: 'workspace'; relative: string; line?: number; endLine?: number };

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** "#L12", "#L12-L20", "#L12-20", "#12". */
const LINE_FRAGMENT = /^L?(\d{1,7})(?:-L?(\d{1,7}))?$/i;
/** "src/a.ts:12" or "src/a.ts:12:5" (the column is not used). */
const LINE_SUFFIX = /:(\d{1,7})(?::\d{1,7})?$/;

export function linkTarget(href: string): LinkTarget | undefined {
  if (href.length === 0 || href.length > 8192 || /[\s\p{Cc}]/u.test(href)) return undefined;
  const scheme = SCHEME.exec(href)?.[1]?.toLowerCase();
  if (scheme !== undefined) return external(href, scheme);
  if (href.startsWith('//') || href.startsWith('\\') || href.startsWith('#')) return undefined;
  return workspacePath(href);
}

function external(href: string, scheme: string): LinkTarget | undefined {
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') return undefined;
  try {
    const url = new URL(href);
    if ((scheme === 'http' || scheme === 'https') && url.hostname === '') return undefined;
    return { kind: 'external', url: url.href };
  } catch {
    return undefined;
  }
}

/** A relative (or workspace-rooted) path with no way out of the folder it is resolved in. */
function workspacePath(href: string): LinkTarget | undefined {
  const hash = href.indexOf('#');
  const fragment = hash === -1 ? '' : href.slice(hash + 1);
  let raw = (hash === -1 ? href : href.slice(0, hash)).split('?')[0]!;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (/\p{Cc}/u.test(raw)) return undefined;
  let line: number | undefined;
  let endLine: number | undefined;
  const lines = LINE_FRAGMENT.exec(fragment);
  if (lines) {
    line = Number(lines[1]);
    if (lines[2] !== undefined) endLine = Number(lines[2]);
  } else {
    const suffix = LINE_SUFFIX.exec(raw);
    if (suffix) {
      line = Number(suffix[1]);
      raw = raw.slice(0, suffix.index);
    }
  }
  const relative = path.posix.normalize(raw.replace(/\\/g, '/').replace(/^\/+/, ''));
  if (relative === '.' || relative === '' || relative === '..' || relative.startsWith('../') || /^[a-z]:/i.test(relative)) return undefined;
  return {
    kind: 'workspace',
    relative,
    ...(line !== undefined && line > 0 ? { line } : {}),
    ...(endLine !== undefined && line !== undefined && endLine >= line ? { endLine } : {}),
  };
}

/** Whether `candidate` (a real path) lies inside `root` (a real path). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
