import { z } from 'zod';

/**
 * Code-aware messages (issue 28): a code link that survives the trip to another checkout (the
 * repository's remote keys, the commit, a hash of the lines), a patch to preview and apply, and a
 * block of terminal output or a problem whose `path:line`s become links. The relay only bounds
 * these and keeps them; the receiver checks them again (src/model/code/codeLink.ts, unifiedDiff.ts)
 * before anything opens or applies, and never trusts a path it did not resolve itself.
 */

const counter = z.number().int().nonnegative();
const line = z.number().int().min(1).max(10_000_000);

export const CodeLimits = {
  /** Remote keys of one repository (origin, upstream, a few more). */
  repositories: 4,
  repositoryKeyChars: 512,
  /** A patch's unified diff text, and the files it may name. */
  patchChars: 256 * 1024,
  patchFiles: 1000,
  problemChars: 4096,
  /** `path:line`s in one message's text that carry where they point (the rest open by path). */
  textLinks: 20,
} as const;

/** A repository's key (`github.com/team/app`, `file:///srv/app`): see src/model/code/repositoryIdentity.ts. */
const RepositoryKey = z
  .string()
  .min(1)
  .max(CodeLimits.repositoryKeyChars)
  .regex(/^[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$/, 'not a repository key');
const Repositories = z.array(RepositoryKey).min(1).max(CodeLimits.repositories);
const CommitId = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'not a commit id');
const repoPath = z.string().min(1).max(1024);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256');

/** What a code excerpt carries beyond path, lines and language (spread into CodeRef). */
export const CodeLinkFields = {
  /** Keys of the repository the path is relative to; absent: the path is relative to a workspace folder. */
  repositories: Repositories.optional(),
  /** HEAD when the excerpt was shared. */
  commit: CommitId.optional(),
  /** SHA-256 (hex) of the lines as shared, normalised (src/model/code/codeLink.ts snippetHash). */
  snippetHash: Sha256.optional(),
};

/**
 * A `path:line` a person typed or pasted in a message, as the sender's workspace resolved it: the
 * receiver finds the same `written` path and line in the text (src/model/code/fileLocations.ts)
 * and opens it like shared code: same repository, the line followed if it moved.
 */
export const TextLink = z.object({
  /** The path as the text has it (fileLocations' `path`), with the line: what ties this to its place in the text. */
  written: z.string().min(1).max(1024),
  line,
  repositories: Repositories.optional(),
  commit: CommitId.optional(),
  /** Relative to the repository root (or, without one, to the workspace folder). */
  path: repoPath,
  /** snippetHash of the line as the sender had it. */
  snippetHash: Sha256.optional(),
});
export type TextLink = z.infer<typeof TextLink>;

export const PatchFileSummary = z.object({
  path: repoPath,
  oldPath: repoPath.optional(),
  change: z.enum(['modified', 'added', 'deleted', 'renamed', 'copied']),
  added: counter,
  removed: counter,
  binary: z.literal(true).optional(),
});
export type PatchFileSummary = z.infer<typeof PatchFileSummary>;

/** Changes to files as a unified diff (`git diff` output), with the sender's summary of it. */
export const PatchRef = z.object({
  text: z.string().min(1).max(CodeLimits.patchChars),
  files: z.array(PatchFileSummary).min(1).max(CodeLimits.patchFiles),
  repositories: Repositories.optional(),
  commit: CommitId.optional(),
});
export type PatchRef = z.infer<typeof PatchRef>;

/** A diagnostic from the sender's Problems view; its path is relative to their workspace folder or repository. */
export const ProblemRef = z.object({
  path: repoPath,
  line,
  column: line.optional(),
  severity: z.enum(['error', 'warning', 'info', 'hint']),
  message: z.string().min(1).max(CodeLimits.problemChars),
  source: z.string().max(64).optional(),
});
export type ProblemRef = z.infer<typeof ProblemRef>;

/** `terminal`: the text is terminal output; `problem`: the text is about `problem`. Shown monospace, with file links. */
export const CodeBlockKind = z.enum(['terminal', 'problem']);
export type CodeBlockKind = z.infer<typeof CodeBlockKind>;

/** Fields `send` and `message` share (spread into both schemas in messages.ts, beside RichFields). */
export const CodeFields = {
  patch: PatchRef.optional(),
  block: CodeBlockKind.optional(),
  problem: ProblemRef.optional(),
  links: z.array(TextLink).min(1).max(CodeLimits.textLinks).optional(),
};

/** The code fields of a message as plain values. */
export interface CodeParts {
  patch?: PatchRef;
  block?: CodeBlockKind;
  problem?: ProblemRef;
  links?: TextLink[];
}

/** The code fields that are set, in the protocol's order (the same message always encodes to the same bytes). */
export function codeParts(message: CodeParts): CodeParts {
  const parts: CodeParts = {};
  if (message.patch) parts.patch = message.patch;
  if (message.block) parts.block = message.block;
  if (message.problem) parts.problem = message.problem;
  if (message.links) parts.links = message.links;
  return parts;
}

/** Whether a message has any code field (the relay's fast paths leave those to the schema). */
export function hasCodeParts(message: { patch?: unknown; block?: unknown; problem?: unknown; links?: unknown }): boolean {
  return message.patch !== undefined || message.block !== undefined || message.problem !== undefined || message.links !== undefined;
}
