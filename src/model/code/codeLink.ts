import { createHash } from 'node:crypto';
import { isRepositoryKey, MAX_REPOSITORY_KEYS } from './repositoryIdentity';
import { relativePathProblem } from './workspacePaths';

/**
 * A link to lines of code that survives the trip to another checkout: which repository (its
 * remotes' keys), at which commit, which file relative to the repository root, which lines, and
 * a hash of those lines so the receiver knows whether their copy still reads the same there.
 */
export interface CodeLink {
  /** The repository's keys (repositoryKeys), best first; empty when the file is in no repository. */
  repositories: string[];
  /** HEAD when the link was made (40 or 64 hex digits), when the file is in a repository. */
  commit?: string;
  /** Relative to the repository root (or the workspace folder outside git), '/'-separated. */
  path: string;
  /** First and last line, 1-based and inclusive. */
  startLine: number;
  endLine: number;
  /** snippetHash of the whole lines startLine..endLine as the sender had them. */
  snippetHash?: string;
}

export type CheckedCodeLink = { ok: true; link: CodeLink } | { ok: false; problem: string };
export type CodeSpec = { ok: true; path: string; startLine: number; endLine: number } | { ok: false; problem: string };

/** The highest line a link may name (well past any file an editor opens). */
export const MAX_LINE = 10_000_000;

/**
 * A hash of lines of code that ignores what editors and platforms change without anyone meaning
 * it: line endings, whitespace at line ends, and trailing blank lines. Hex SHA-256.
 */
export function snippetHash(text: string): string {
  return createHash('sha256').update(normaliseSnippet(text)).digest('hex');
}

/** The text snippetHash hashes. */
export function normaliseSnippet(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
}

/** Lines `startLine..endLine` (1-based, inclusive) of a text, or undefined when it has fewer lines. */
export function linesOf(text: string, startLine: number, endLine: number): string | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  if (startLine < 1 || endLine < startLine || endLine > lines.length) return undefined;
  return lines.slice(startLine - 1, endLine).join('\n');
}

/**
 * The line nearest `line` (1-based) whose snippetHash is `hash`, at most `nearby` lines away: where
 * a one-line link's line went when lines were added or removed above it. Undefined when gone.
 */
export function relocateLineByHash(text: string, hash: string, line: number, nearby = 2000): number | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  for (let distance = 0; distance <= nearby; distance++) {
    if (line - distance < 1 && line + distance > lines.length) break;
    for (const at of distance === 0 ? [line] : [line - distance, line + distance]) {
      if (at >= 1 && at <= lines.length && snippetHash(lines[at - 1]!) === hash) return at;
    }
  }
  return undefined;
}

/** A peer's code link checked field by field: every value bounded, the path safe, the lines ordered. */
export function checkCodeLink(value: unknown): CheckedCodeLink {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refused('the code link is not an object');
  const v = value as Record<string, unknown>;
  const known = ['repositories', 'commit', 'path', 'startLine', 'endLine', 'snippetHash'];
  const unknown = Object.keys(v).find((k) => !known.includes(k));
  if (unknown !== undefined) return refused(`the code link has a field Team Messenger does not know (${JSON.stringify(unknown.slice(0, 20))})`);
  if (!Array.isArray(v.repositories) || v.repositories.length > MAX_REPOSITORY_KEYS)
    return refused(`the code link's repositories are not a list of at most ${MAX_REPOSITORY_KEYS}`);
  if (!v.repositories.every(isRepositoryKey)) return refused("the code link names a repository Team Messenger can't read");
  if (v.commit !== undefined && (typeof v.commit !== 'string' || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(v.commit)))
    return refused("the code link's commit is not a commit id");
  if (typeof v.path !== 'string') return refused('the code link has no path');
  const pathProblem = relativePathProblem(v.path);
  if (pathProblem !== undefined) return refused(`the code link's path is refused: ${pathProblem}`);
  if (!isLine(v.startLine) || !isLine(v.endLine) || v.endLine < v.startLine) return refused("the code link's lines are not a range of lines");
  if (v.snippetHash !== undefined && (typeof v.snippetHash !== 'string' || !/^[0-9a-f]{64}$/.test(v.snippetHash)))
    return refused("the code link's hash is not a SHA-256");
  const link: CodeLink = {
    repositories: [...(v.repositories as string[])],
    ...(v.commit !== undefined ? { commit: v.commit as string } : {}),
    path: v.path,
    startLine: v.startLine,
    endLine: v.endLine,
    ...(v.snippetHash !== undefined ? { snippetHash: v.snippetHash as string } : {}),
  };
  return { ok: true, link };
}

/**
 * `PATH:L1-L2` or `PATH:L` (the CLI's `send --code`): the path and its lines. The line part is
 * the text after the last colon, so a Windows path (`C:\app\a.ts:3-9`) keeps its drive.
 */
export function parseCodeSpec(spec: string): CodeSpec {
  const found = /^(.+?):(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!found) return { ok: false, problem: `"${spec.slice(0, 200)}" is not PATH:LINE or PATH:FIRST-LAST` };
  const startLine = Number(found[2]);
  const endLine = found[3] !== undefined ? Number(found[3]) : startLine;
  if (!isLine(startLine) || !isLine(endLine)) return { ok: false, problem: `lines are counted from 1 to ${MAX_LINE}` };
  if (endLine < startLine) return { ok: false, problem: `the last line (${endLine}) comes before the first (${startLine})` };
  return { ok: true, path: found[1]!, startLine, endLine };
}

function isLine(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_LINE;
}

function refused(problem: string): CheckedCodeLink {
  return { ok: false, problem };
}
