import { formatPatch } from './diffRender';
import { makeFilePatch } from './lineDiff';
import type { FilePatch, Hunk } from './unifiedDiff';

/**
 * "Suggest Edit…" (issue 28): the change between a file's last committed (or saved) text and
 * what the editor holds now, kept to the hunks that touch the selected lines, as a patch. Hunks
 * left out shift the new-side line numbers of those after them, so those are counted again.
 */
export function suggestedEdit(
  path: string,
  before: string,
  after: string,
  firstLine: number,
  lastLine: number,
): { patch: string; file: FilePatch } | undefined {
  const whole = makeFilePatch({ oldPath: path, newPath: path, oldText: before, newText: after });
  const hunks: Hunk[] = [];
  let shift = 0;
  for (const hunk of whole.hunks) {
    const start = hunk.newStart;
    const end = hunk.newStart + Math.max(hunk.newLines, 1) - 1;
    if (end < firstLine || start > lastLine) continue;
    // The new side starts where the old does, moved by the kept hunks before it only.
    // (git's convention: an empty side's start is the line before it.)
    hunks.push({ ...hunk, newStart: hunk.oldStart + shift + (hunk.oldLines === 0 ? 1 : 0) - (hunk.newLines === 0 ? 1 : 0) });
    shift += hunk.newLines - hunk.oldLines;
  }
  if (hunks.length === 0) return undefined;
  const file: FilePatch = { ...whole, hunks };
  return { patch: formatPatch([file]), file };
}
