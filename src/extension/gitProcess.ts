import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';

/**
 * The two git plumbing commands a three-way patch merge needs, run with the git VS Code's git
 * extension uses (its `git.path`): a blob's text, and `git merge-file`. Arguments go to the
 * process as a list (no shell); blob ids are checked to be hex first.
 */

/** The most a blob or a merge result may be (a patch to a bigger file is not merged in memory). */
const MAX_BUFFER = 16 * 1024 * 1024;

/** A blob's text from the checkout at `root`, or undefined when git does not have it (or it is binary). */
export async function gitBlob(gitPath: string, root: string, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,64}$/.test(id)) return undefined;
  const result = await run(gitPath, ['cat-file', 'blob', id], root);
  return result.code === 0 && !result.stdout.includes('\u0000') ? result.stdout : undefined;
}

/**
 * `git merge-file -p`: `ours` with the changes from `base` to `theirs`, and how many places
 * conflict (git's exit code). Undefined when git fails otherwise.
 */
export async function gitMergeFile(gitPath: string, ours: string, base: string, theirs: string): Promise<{ text: string; conflicts: number } | undefined> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'team-messenger-merge-'));
  try {
    const files = ['yours', 'base', 'theirs'].map((name) => nodePath.join(dir, name));
    await Promise.all([ours, base, theirs].map((text, i) => fs.writeFile(files[i]!, text)));
    const result = await run(gitPath, ['merge-file', '-p', '-L', 'yours', '-L', 'base', '-L', 'shared patch', ...files], dir);
    // merge-file exits with the number of conflicts (capped at 127), negative (255…) on errors.
    return result.code !== null && result.code >= 0 && result.code < 128 ? { text: result.stdout, conflicts: result.code } : undefined;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function run(gitPath: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(gitPath, args, { cwd, encoding: 'utf8', maxBuffer: MAX_BUFFER, windowsHide: true }, (error, stdout) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code as number) : null) : 0;
      resolve({ code, stdout });
    });
  });
}

/**
 * The checkout's changes as `git diff` writes them (renames found, no colour or external diff
 * tool): the working tree against HEAD, or only what is staged, for all files or the ones named.
 */
export async function gitDiff(gitPath: string, root: string, options: { staged: boolean; paths?: readonly string[] }): Promise<string> {
  const args = ['diff', '--no-color', '--no-ext-diff', '-M', options.staged ? '--cached' : 'HEAD', '--', ...(options.paths ?? [])];
  const result = await run(gitPath, args, root);
  if (result.code !== 0) throw new Error(`git diff failed in ${root}`);
  return result.stdout;
}

/** A file's text at HEAD (`git show HEAD:<path>`), or undefined when HEAD has no such file or it is binary. */
export async function gitHeadText(gitPath: string, root: string, relativePath: string): Promise<string | undefined> {
  const result = await run(gitPath, ['show', `HEAD:${relativePath}`], root);
  return result.code === 0 && !result.stdout.includes('\u0000') ? result.stdout : undefined;
}
