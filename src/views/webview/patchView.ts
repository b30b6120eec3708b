import type { MessageView } from '../chatProtocol';
import type { DiffRowView, PatchFileView } from '../codeViewTypes';
import type { CodeAction } from './codeActions';
import { button, h, icon } from './dom';

/**
 * A patch message's card (issue 28): the summary, Preview and Apply (the extension shows VS Code
 * diff editors / applies all or nothing and reports), and each file's diff, folded, with old and
 * new line numbers. Peer text only in Text nodes.
 */

const CHANGE_ICON: Record<PatchFileView['change'], string> = {
  modified: 'diff-modified',
  added: 'diff-added',
  deleted: 'diff-removed',
  renamed: 'diff-renamed',
  copied: 'copy',
};

export function patchCard(message: MessageView, act: CodeAction | undefined): HTMLElement | false {
  const patch = message.patch;
  if (!patch || message.deleted) return false;
  const usable = patch.problem === undefined && act !== undefined;
  const preview = button('secondary-button patch-preview', `Preview changes: ${patch.summary}`, [icon('diff'), 'Preview'], () =>
    act?.(message.id, { type: 'preview-patch' }),
  );
  const apply = button('primary-button patch-apply', `Apply changes to your workspace: ${patch.summary}`, [icon('check'), 'Apply'], () =>
    act?.(message.id, { type: 'apply-patch' }),
  );
  preview.disabled = !usable;
  apply.disabled = !usable;
  const openFirst = patch.files.length === 1;
  return h(
    'section',
    { className: 'patch-card', attrs: { 'aria-label': `Changes: ${patch.summary}` } },
    h(
      'div',
      { className: 'patch-header' },
      icon('git-pull-request'),
      h('span', { className: 'patch-summary' }, patch.summary),
      patch.repository !== undefined && h('span', { className: 'patch-repository', attrs: { title: patch.repository } }, patch.repository),
      h('span', { className: 'patch-actions' }, preview, apply),
    ),
    patch.problem !== undefined && h('div', { className: 'patch-problem', attrs: { role: 'note' } }, icon('warning'), ' ', patch.problem),
    ...patch.files.map((file) => fileDiff(file, openFirst)),
    patch.moreFiles > 0 && h('div', { className: 'patch-more' }, `${patch.moreFiles} more ${patch.moreFiles === 1 ? 'file' : 'files'} (Preview shows all)`),
  );
}

function fileDiff(file: PatchFileView, open: boolean): HTMLElement {
  const details = h(
    'details',
    { className: `patch-file change-${file.change}` },
    h(
      'summary',
      { className: 'patch-file-header' },
      icon(CHANGE_ICON[file.change]),
      h('span', { className: 'patch-file-title', attrs: { title: file.title } }, file.title),
      h('span', { className: 'patch-file-counts' }, file.binary ? 'binary' : file.counts),
    ),
    file.rows.length > 0 &&
      h('table', { className: 'patch-rows', attrs: { role: 'table', 'aria-label': `Diff of ${file.title}` } }, h('tbody', {}, ...file.rows.map(row))),
    file.moreRows > 0 && h('div', { className: 'patch-more' }, `${file.moreRows} more ${file.moreRows === 1 ? 'line' : 'lines'} (Preview shows all)`),
  );
  details.open = open;
  return details;
}

function row(r: DiffRowView): HTMLElement {
  const marker = r.kind === 'add' ? '+' : r.kind === 'remove' ? '−' : ' ';
  const oldLine = r.kind === 'context' || r.kind === 'remove' ? String(r.oldLine) : '';
  const newLine = r.kind === 'context' || r.kind === 'add' ? String(r.newLine) : '';
  if (r.kind === 'hunk' || r.kind === 'no-newline') return h('tr', { className: `diff-row diff-${r.kind}` }, h('td', { attrs: { colspan: '4' } }, r.text));
  return h(
    'tr',
    { className: `diff-row diff-${r.kind}` },
    h('td', { className: 'diff-line-number', attrs: { 'aria-hidden': 'true' } }, oldLine),
    h('td', { className: 'diff-line-number', attrs: { 'aria-hidden': 'true' } }, newLine),
    h('td', { className: 'diff-marker', attrs: { 'aria-label': r.kind === 'add' ? 'added' : r.kind === 'remove' ? 'removed' : 'unchanged' } }, marker),
    h('td', { className: 'diff-text' }, r.text),
  );
}
