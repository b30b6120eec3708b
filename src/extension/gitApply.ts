import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';

/**
 * A received patch applied by git itself (`git apply --3way`) in a checkout: clean files
 * changed, files that only merge with conflicts left with git's conflict markers for the user to
 * resolve, and on any other failure nothing written at all (git apply is all or nothing without
 * --reject).
 *
 * --3way implies --index, which would stage the patch in the user's index (and refuse every file
 * with unstaged edits, "does not match index"). So git works on a temporary index instead: HEAD,
 * with the patch's files as they are in the working tree. The user's own index is never touched,
 * their unstaged edits are what the patch merges into, and the result is unstaged changes, as
 * any edit they make themselves. No `vscode` here; paths are checked by the caller first.
 */

export type GitApplyResult =
  /** Written: every file the patch names, `conflicted` the ones left with conflict markers; `unchanged`: they already read so (applied before). */
  | { ok: true; conflicted: string[]; unchanged: boolean }
  /** Nothing written; git's own words why. */
  | { ok: false; problem: string };

/** The most of git's messages a report quotes. */
const MAX_PROBLEM_CHARS = 600;

/** Applies `patchText` to the checkout at `root` with `git apply --3way` against a temporary index. */
export async function gitApplyThreeWay(gitPath: string, root: string, patchText: string, paths: readonly string[]): Promise<GitApplyResult> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'team-messenger-apply-'));
  try {
    const env = { ...process.env, GIT_INDEX_FILE: nodePath.join(dir, 'index') };
    const git = (args: string[], input?: string) => runGit(gitPath, ['-c', 'core.quotePath=false', ...args], root, env, input);
    // A repository without a commit yet has no HEAD to start from: an empty index then.
    const head = await git(['read-tree', 'HEAD']);
    if (head.code !== 0 && (await git(['read-tree', '--empty'])).code !== 0) return { ok: false, problem: firstLines(head.stderr) };
    // The files as they are now, so git merges into the user's edits instead of refusing them.
    const synced = await git(['update-index', '--add', '--remove', '-z', '--stdin'], paths.map((p) => `${p}\u0000`).join(''));
    if (synced.code !== 0) return { ok: false, problem: firstLines(synced.stderr) };
    const before = await Promise.all(paths.map((path) => readOrUndefined(root, path)));
    const applied = await git(['apply', '--3way', '--whitespace=nowarn', '-'], patchText);
    // "U <path>" is printed only for files written with conflicts, i.e. when git wrote its results.
    const conflicted = applied.stderr
      .split('\n')
      .filter((line) => line.startsWith('U '))
      .map((line) => unquote(line.slice(2)));
    if (applied.code === 0 || (applied.code === 1 && conflicted.length > 0)) {
      // A patch applied twice merges cleanly into itself: say so rather than "applied".
      const after = await Promise.all(paths.map((path) => readOrUndefined(root, path)));
      return { ok: true, conflicted, unchanged: before.every((text, i) => text === after[i]) };
    }
    return { ok: false, problem: firstLines(applied.stderr) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function readOrUndefined(root: string, path: string): Promise<string | undefined> {
  return fs.readFile(nodePath.join(root, path), 'latin1').catch(() => undefined);
}

/** git's error lines, without its chatter ("Falling back to…", "Checking patch…"), bounded. */
function firstLines(stderr: string): string {
  const errors = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(?:error|fatal):/.test(line))
    .map((line) => line.replace(/^(?:error|fatal):\s*/, ''));
  const text = (errors.length > 0 ? errors : [stderr.trim() || 'git apply failed']).join('; ');
  return text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text;
}

/** A path as git prints it: C-quoted ("a\"b", "tab\there") when it holds special characters. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', a: '\u0007', b: '\b', f: '\f', r: '\r', v: '\v' };
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(escapes[body[i + 1] ?? ''] ?? body[i + 1] ?? '', 'utf8'));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function runGit(gitPath: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(gitPath, args, { cwd, env, windowsHide: true, stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => resolve({ code: null, stderr: `fatal: ${err.message}` }));
    child.on('close', (code) => resolve({ code, stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.on('error', () => undefined); // git may exit before reading all of it; its code says why
    child.stdin.end(input ?? '');
  });
}
