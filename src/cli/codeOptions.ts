import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { CodeLimits, PatchRef } from '../net/protocol/codeMessages';
import { CodeRef, Limits } from '../net/protocol/messages';
import type { ChatMessage } from '../net/protocol/messages';
import { linesOf, parseCodeSpec, snippetHash } from '../model/code/codeLink';
import { formatCounts, summariseFile } from '../model/code/diffRender';
import { repositoryKeys } from '../model/code/repositoryIdentity';
import { parsePatch } from '../model/code/unifiedDiff';
import { UsageError } from './options';

/**
 * `send --patch FILE|-` and `send --code PATH:L1-L2` (issue 28): a unified diff sent as a patch
 * message (checked to parse, no binary files), or lines of a file sent as shared code with the
 * repository's keys, HEAD and the lines' hash when the file is in a git checkout, so the
 * receiver's Open finds them in their own copy. And how `listen` prints such messages.
 */

export interface CodeSend {
  /** The message's text: the lines for --code; for --patch, the caller's text or a summary. */
  text?: string;
  code?: CodeRef;
  patch?: PatchRef;
}

export async function codeSendOptions(
  patchArg: string | undefined,
  codeArg: string | undefined,
  hasText: boolean,
  readStdin: () => Promise<string>,
): Promise<CodeSend | undefined> {
  if (patchArg !== undefined && codeArg !== undefined) throw new UsageError('give one of --patch and --code');
  if (patchArg !== undefined) {
    const patch = await patchFrom(patchArg, readStdin);
    if (hasText) return { patch };
    const files = patch.files.length === 1 ? patch.files[0]!.path : `${patch.files.length} files`;
    return { text: `Changes to ${files}`, patch };
  }
  if (codeArg !== undefined) return codeFrom(codeArg);
  return undefined;
}

async function patchFrom(source: string, readStdin: () => Promise<string>): Promise<PatchRef> {
  const text = source === '-' ? await readStdin() : await readText(source);
  if (text.trim() === '') throw new UsageError('the patch is empty');
  if (text.length > CodeLimits.patchChars) throw new UsageError(`the patch is ${text.length} characters; the limit is ${CodeLimits.patchChars}`);
  const parsed = parsePatch(text.endsWith('\n') ? text : `${text}\n`);
  if (!parsed.ok) throw new UsageError(`the patch cannot be read (line ${parsed.line}: ${parsed.problem})`);
  if (parsed.files.length === 0) throw new UsageError('the patch changes no file');
  const binary = parsed.files.filter((f) => f.binary).map((f) => f.newPath ?? f.oldPath);
  if (binary.length > 0) throw new UsageError(`binary files cannot be sent as a patch (${binary.join(', ')}): send them with --file`);
  // The checkout the patch is for: the patch file's (a patch saved in it), else the current folder's (`git diff | … --patch -`).
  const root = (source !== '-' ? await gitRoot(nodePath.dirname(nodePath.resolve(source))) : undefined) ?? (await gitRoot(process.cwd()));
  return {
    text: text.endsWith('\n') ? text : `${text}\n`,
    files: parsed.files.map((file) => {
      const s = summariseFile(file);
      return {
        path: s.path,
        ...(file.oldPath !== undefined && file.oldPath !== s.path ? { oldPath: file.oldPath } : {}),
        change: s.change,
        added: s.added,
        removed: s.removed,
      };
    }),
    ...(root ? await repositoryOf(root) : {}),
  };
}

async function codeFrom(spec: string): Promise<CodeSend> {
  const parsed = parseCodeSpec(spec);
  if (!parsed.ok) throw new UsageError(parsed.problem);
  const file = nodePath.resolve(parsed.path);
  const content = await readText(parsed.path);
  const lines = linesOf(content, parsed.startLine, parsed.endLine);
  if (lines === undefined) throw new UsageError(`${parsed.path} has ${content.split(/\r\n|\r|\n/).length} lines, not ${parsed.endLine}`);
  if (lines.length > Limits.textChars) throw new UsageError(`those lines are ${lines.length} characters; the limit is ${Limits.textChars}`);
  const root = await gitRoot(nodePath.dirname(file));
  const base = root ?? process.cwd();
  const relative = nodePath.relative(base, file).split(nodePath.sep).join('/');
  if (relative.startsWith('..') || nodePath.isAbsolute(relative)) throw new UsageError(`${parsed.path} is outside the current folder and any git checkout`);
  const code: CodeRef = {
    path: relative,
    startLine: parsed.startLine,
    endLine: parsed.endLine,
    language: languageOf(file),
    ...(root ? await repositoryOf(root) : {}),
    snippetHash: snippetHash(lines),
  };
  return { text: lines, code };
}

/** How `listen` and `history` print a code-aware message beside its text (JSON: the fields as they are). */
export function codeFields(message: ChatMessage): Record<string, unknown> {
  return {
    ...(message.patch ? { patch: message.patch } : {}),
    ...(message.block ? { block: message.block } : {}),
    ...(message.problem ? { problem: message.problem } : {}),
    ...(message.links ? { links: message.links } : {}),
  };
}

/** "patch: src/a.ts (+3 −1), src/b.ts (+1 −0)", or undefined when the message has none. */
export function patchLine(message: ChatMessage): string | undefined {
  if (!message.patch) return undefined;
  const files = message.patch.files.slice(0, 5).map((f) => `${f.path} (${formatCounts(f.added, f.removed)})`);
  const more = message.patch.files.length - files.length;
  return `patch: ${files.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

async function readText(path: string): Promise<string> {
  try {
    const text = await fs.readFile(path, 'utf8');
    if (text.includes('\u0000')) throw new UsageError(`${path} is a binary file`);
    return text;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

async function repositoryOf(root: string): Promise<{ repositories?: string[]; commit?: string }> {
  const remotes = (await git(root, ['remote', '-v'])) ?? '';
  const byName = new Map<string, { name: string; fetchUrl?: string; pushUrl?: string }>();
  for (const line of remotes.split('\n')) {
    const found = /^(\S+)\s+(\S+)\s+\((fetch|push)\)$/.exec(line.trim());
    if (!found) continue;
    const remote = byName.get(found[1]!) ?? { name: found[1]! };
    if (found[3] === 'fetch') remote.fetchUrl = found[2]!;
    else remote.pushUrl = found[2]!;
    byName.set(remote.name, remote);
  }
  const keys = repositoryKeys([...byName.values()], root).slice(0, CodeLimits.repositories);
  const head = (await git(root, ['rev-parse', 'HEAD']))?.trim();
  return { ...(keys.length > 0 ? { repositories: keys } : {}), ...(head && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(head) ? { commit: head } : {}) };
}

async function gitRoot(dir: string): Promise<string | undefined> {
  return (await git(dir, ['rev-parse', '--show-toplevel']))?.trim() || undefined;
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', windowsHide: true, timeout: 10_000 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

const LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescriptreact',
  js: 'javascript',
  jsx: 'javascriptreact',
  py: 'python',
  java: 'java',
  go: 'go',
  rs: 'rust',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  json: 'json',
  md: 'markdown',
  sh: 'shellscript',
  css: 'css',
  html: 'html',
  yml: 'yaml',
  yaml: 'yaml',
};

function languageOf(file: string): string {
  return LANGUAGES[nodePath.extname(file).slice(1).toLowerCase()] ?? 'plaintext';
}
