/**
 * What the chat webview gets of a code-aware message (issue 28): a patch as a summary and a
 * bounded set of diff rows (the patch text itself stays in the extension, which previews and
 * applies it). Plain data; the webview imports these as types only.
 */

export type DiffRowView =
  | { kind: 'hunk'; text: string }
  | { kind: 'context'; oldLine: number; newLine: number; text: string }
  | { kind: 'add'; newLine: number; text: string }
  | { kind: 'remove'; oldLine: number; text: string }
  | { kind: 'no-newline'; text: string };

export interface PatchFileView {
  /** `path`, or `old → new` for a rename or copy. */
  title: string;
  change: 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';
  binary: boolean;
  /** "+3 −1". */
  counts: string;
  rows: DiffRowView[];
  /** Rows of this file not shown (the diff is bounded). */
  moreRows: number;
}

export interface PatchView {
  /** "2 files changed, +3 −1". */
  summary: string;
  files: PatchFileView[];
  /** Files not listed (bounded). */
  moreFiles: number;
  /** Where the patch is from: the repository's first key ("github.com/team/app"), if any. */
  repository?: string;
  /** Why the patch cannot be shown (it does not parse): it cannot be previewed or applied either. */
  problem?: string;
}
