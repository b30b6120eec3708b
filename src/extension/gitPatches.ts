import * as nodePath from 'node:path';
import { formatCounts, PatchSummary, summarisePatch } from '../model/code/diffRender';
import { AppliedFile, applyHunks, applyPatch, Conflict, describeConflict } from '../model/code/patchApply';
import { FilePatch, parsePatch } from '../model/code/unifiedDiff';
import { isInside, joinInside } from '../model/code/workspacePaths';

/**
 * A peer's patch planned against a checkout in this window, all or nothing: every path checked
 * to stay inside the workspace folders (symbolic links followed), the files read as the user sees
 * them, the hunks applied in memory, and where a hunk no longer fits but git still has the blob
 * the patch was made from, a three-way merge (`git apply --3way` semantics) of the user's version,
 * that blob, and the blob with the patch. Only a plan with no conflict is written; anything else
 * is a report and no change. No `vscode` here: gitPatchWorkspace.ts gives the ports and writes.
 */

export type ReadResult = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'unreadable'; why: string };

export interface PatchPorts {
  workspaceFolders(): readonly string[];
  realPath(file: string): Promise<string | undefined>;
  /** A file as the user sees it (an open editor's unsaved text first). */
  read(file: string): Promise<ReadResult>;
  /** A blob's text by (abbreviated) id in the checkout at `root`, when git has it. */
  blob?(root: string, id: string): Promise<string | undefined>;
  /** `git merge-file`: `ours` with the changes from `base` to `theirs`; conflicts counted. */
  merge?(ours: string, base: string, theirs: string): Promise<{ text: string; conflicts: number } | undefined>;
}

export interface PlannedFile extends AppliedFile {
  /** Absolute paths of `path` and of `removePath`. */
  file: string;
  removeFile?: string;
  /** Whether it took a three-way merge. */
  merged: boolean;
}

export type PatchPlan =
  { ok: true; root: string; files: PlannedFile[]; summary: PatchSummary } | { ok: false; problem?: string; conflicts: Conflict[]; applicable: string[] };

/** Reads, checks and applies `patchText` in memory against the checkout at `root`. */
export async function planPatch(patchText: string, root: string, ports: PatchPorts): Promise<PatchPlan> {
  const parsed = parsePatch(patchText);
  if (!parsed.ok) return { ok: false, problem: `the patch cannot be read (line ${parsed.line}: ${parsed.problem})`, conflicts: [], applicable: [] };
  const checked = await checkPatchPaths(parsed.files, root, ports);
  if (!checked.ok) return checked.plan;
  const { realRoot } = checked;
  const texts = new Map<string, string | undefined>();
  const refused: Conflict[] = [];
  for (const [path, file] of checked.files) {
    const read = await ports.read(file);
    if (read.kind === 'unreadable') refused.push({ path, reason: 'unreadable', problem: read.why });
    texts.set(path, read.kind === 'text' ? read.text : undefined);
  }
  if (refused.length > 0) return { ok: false, conflicts: refused, applicable: [] };
  const outcome = applyPatch(parsed.files, (path) => texts.get(path));
  let results: AppliedFile[];
  const merged = new Set<string>();
  if (outcome.ok) {
    results = outcome.files;
  } else {
    const merges = await mergeThreeWay(outcome.conflicts, parsed.files, realRoot, texts, ports);
    const resolved = [...merges.values()].flatMap((r) => ('file' in r ? [r.file] : []));
    const remaining: Conflict[] = [];
    for (const conflict of outcome.conflicts) {
      const merge = merges.get(conflict.path);
      if (merge === undefined) remaining.push(conflict);
      else if ('conflict' in merge) remaining.push(merge.conflict);
    }
    results = [...outcome.applied, ...resolved];
    if (remaining.length > 0) return { ok: false, conflicts: remaining, applicable: results.map((f) => f.path) };
    for (const file of resolved) merged.add(file.path);
  }
  // In the patch's order, each file once.
  const byPath = new Map(results.map((f) => [f.path, f]));
  const files: PlannedFile[] = parsed.files.flatMap((patch) => {
    const result = byPath.get(patch.newPath ?? patch.oldPath ?? '');
    if (!result) return [];
    byPath.delete(result.path);
    return [
      {
        ...result,
        file: joinInside(realRoot, result.path, flavour())!,
        ...(result.removePath !== undefined ? { removeFile: joinInside(realRoot, result.removePath, flavour())! } : {}),
        merged: merged.has(result.path),
      },
    ];
  });
  return { ok: true, root: realRoot, files, summary: summarisePatch(parsed.files) };
}

/**
 * Every path a patch names, as a file below the checkout (which must be open in this window)
 * that really stays inside a workspace folder, symbolic links followed; or the refusal to report.
 * A path joinInside refuses is left out here: applyPatch refuses it with the reason.
 */
export async function checkPatchPaths(
  files: readonly FilePatch[],
  root: string,
  ports: Pick<PatchPorts, 'workspaceFolders' | 'realPath'>,
): Promise<{ ok: true; realRoot: string; files: Map<string, string> } | { ok: false; plan: Extract<PatchPlan, { ok: false }> }> {
  const folders = await Promise.all(ports.workspaceFolders().map(async (f) => (await ports.realPath(f)) ?? f));
  const realRoot = (await ports.realPath(root)) ?? root;
  if (!folders.some((f) => isInside(f, realRoot, flavour()) || isInside(realRoot, f, flavour()))) {
    return { ok: false, plan: { ok: false, problem: 'that checkout is not open in this window', conflicts: [], applicable: [] } };
  }
  const found = new Map<string, string>();
  const refused: Conflict[] = [];
  for (const path of new Set(files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => p !== undefined))) {
    const file = joinInside(realRoot, path, flavour());
    if (file === undefined) continue;
    if (await staysInside(file, folders, ports)) found.set(path, file);
    else refused.push({ path, reason: 'unsafe-path', problem: 'it leads outside the workspace' });
  }
  return refused.length > 0 ? { ok: false, plan: { ok: false, conflicts: refused, applicable: [] } } : { ok: true, realRoot, files: found };
}

/** What happened, in lines for a notification's detail: applied files and counts, or why nothing was. */
export function describePlan(plan: PatchPlan): string[] {
  if (plan.ok) {
    const merged = plan.files.filter((f) => f.merged).length;
    const head = `Applied ${plan.files.length} ${plan.files.length === 1 ? 'file' : 'files'} (${formatCounts(plan.summary.added, plan.summary.removed)})${merged > 0 ? `, ${merged} merged three-way` : ''}.`;
    return [
      head,
      ...plan.files.map(
        (f) => `${f.change === 'deleted' ? 'deleted' : f.change === 'added' ? 'added' : f.change === 'renamed' ? 'renamed' : 'changed'} ${f.path}`,
      ),
    ];
  }
  const lines = plan.problem !== undefined ? [`Nothing was changed: ${plan.problem}.`] : ['Nothing was changed:', ...plan.conflicts.map(describeConflict)];
  if (plan.applicable.length > 0) lines.push(`These would apply: ${plan.applicable.join(', ')}.`);
  return lines;
}

/** Why a patch cannot be sent (binary files, too big), or undefined when it can. */
export function outgoingPatchProblem(patchText: string, maxChars: number): string | undefined {
  if (patchText.trim() === '') return 'there are no changes to send';
  if (patchText.length > maxChars) return `the changes are too big to send in a message (${patchText.length} characters; the limit is ${maxChars})`;
  const parsed = parsePatch(patchText);
  if (!parsed.ok) return `git gave a patch that cannot be read (line ${parsed.line}: ${parsed.problem})`;
  const binary = parsed.files.filter((f) => f.binary).map((f) => f.newPath ?? f.oldPath);
  if (binary.length > 0) return `binary files cannot be sent as changes (${binary.join(', ')}): send them as files`;
  return undefined;
}

/** A file merged cleanly, or the conflict its merge left. */
type MergeResult = { file: AppliedFile } | { conflict: Conflict };

/** A conflicting file's three-way merge, for each conflict whose patch names a blob git has. */
async function mergeThreeWay(
  conflicts: readonly Conflict[],
  files: readonly FilePatch[],
  root: string,
  texts: Map<string, string | undefined>,
  ports: PatchPorts,
): Promise<Map<string, MergeResult>> {
  const results = new Map<string, MergeResult>();
  if (!ports.blob || !ports.merge) return results;
  for (const conflict of conflicts) {
    if (conflict.reason !== 'mismatch') continue;
    const patch = files.find((f) => f.change === 'modified' && f.newPath === conflict.path);
    const ours = texts.get(conflict.path);
    if (!patch || ours === undefined || !patch.oldBlob || /^0+$/.test(patch.oldBlob)) continue;
    const base = await ports.blob(root, patch.oldBlob);
    if (base === undefined) continue;
    const theirs = applyHunks(base, patch.hunks);
    if (!theirs.ok) continue; // the blob is not what the patch was made from
    const merged = await ports.merge(ours, base, theirs.text);
    if (!merged) continue;
    results.set(
      conflict.path,
      merged.conflicts > 0
        ? { conflict: { path: conflict.path, reason: 'merge-conflict', places: merged.conflicts } }
        : { file: { path: conflict.path, text: merged.text, change: 'modified', offsets: [] } },
    );
  }
  return results;
}

/** Whether a file (or, for one not there yet, its nearest existing folder) is really inside a workspace folder. */
async function staysInside(file: string, folders: readonly string[], ports: Pick<PatchPorts, 'realPath'>): Promise<boolean> {
  const path = nodePath[flavour()];
  for (let at = file; ; at = path.dirname(at)) {
    const real = await ports.realPath(at);
    if (real !== undefined) return folders.some((folder) => isInside(folder, real, flavour()));
    if (path.dirname(at) === at) return false;
  }
}

function flavour(): 'posix' | 'win32' {
  return nodePath.sep === '\\' ? 'win32' : 'posix';
}
