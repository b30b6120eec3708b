import type { PatchRef } from '../net/protocol/codeMessages';
import { formatCounts, diffRows, summariseFile } from '../model/code/diffRender';
import { parsePatch } from '../model/code/unifiedDiff';
import type { DiffRowView, PatchView } from './codeViewTypes';

/**
 * A patch message made into what the chat shows (codeViewTypes.ts): parsed once per patch (the
 * store's messages are frozen, so the object is the cache key), at most MAX_FILES files and
 * MAX_ROWS rows, each row's text cut at MAX_ROW_CHARS: a 256 KB patch is not posted whole to the
 * webview on every render.
 */

const MAX_FILES = 50;
const MAX_ROWS = 400;
const MAX_ROW_CHARS = 500;

const cache = new WeakMap<PatchRef, PatchView>();

export function patchView(patch: PatchRef): PatchView {
  let view = cache.get(patch);
  if (!view) {
    view = makePatchView(patch);
    cache.set(patch, view);
  }
  return view;
}

function makePatchView(patch: PatchRef): PatchView {
  const repository = patch.repositories?.[0];
  const parsed = parsePatch(patch.text);
  if (!parsed.ok) {
    return {
      summary: filesSummary(patch.files.length, sum(patch.files, 'added'), sum(patch.files, 'removed')),
      files: [],
      moreFiles: patch.files.length,
      ...(repository !== undefined ? { repository } : {}),
      problem: `This patch cannot be read (line ${parsed.line}: ${parsed.problem}).`,
    };
  }
  const summaries = parsed.files.map(summariseFile);
  let budget = MAX_ROWS;
  const files = parsed.files.slice(0, MAX_FILES).map((file, i) => {
    const all = diffRows(file);
    const rows = all.slice(0, Math.max(0, budget)).map(cut);
    budget -= rows.length;
    const summary = summaries[i]!;
    return {
      title: summary.title,
      change: summary.change,
      binary: summary.binary,
      counts: formatCounts(summary.added, summary.removed),
      rows,
      moreRows: all.length - rows.length,
    };
  });
  return {
    summary: filesSummary(summaries.length, sum(summaries, 'added'), sum(summaries, 'removed')),
    files,
    moreFiles: parsed.files.length - files.length,
    ...(repository !== undefined ? { repository } : {}),
  };
}

function cut(row: DiffRowView): DiffRowView {
  return row.text.length > MAX_ROW_CHARS ? { ...row, text: `${row.text.slice(0, MAX_ROW_CHARS)}…` } : row;
}

function sum(files: readonly { added: number; removed: number }[], key: 'added' | 'removed'): number {
  return files.reduce((total, f) => total + f[key], 0);
}

function filesSummary(count: number, added: number, removed: number): string {
  return `${count} ${count === 1 ? 'file' : 'files'} changed, ${formatCounts(added, removed)}`;
}
