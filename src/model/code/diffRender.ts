import { FilePatch, Hunk, pathOf } from './unifiedDiff';

/**
 * What the chat shows of a patch: the files with their +/− counts, and each file's diff as rows
 * with old and new line numbers. Also the patch written back as a unified diff (to send one made
 * here, or to hand git).
 */

export interface FileSummary {
  /** The path shown: the new one, `old → new` for a rename or copy. */
  title: string;
  path: string;
  change: FilePatch['change'];
  binary: boolean;
  added: number;
  removed: number;
}

export interface PatchSummary {
  files: FileSummary[];
  added: number;
  removed: number;
}

export type DiffRow =
  | { kind: 'hunk'; text: string }
  | { kind: 'context'; oldLine: number; newLine: number; text: string }
  | { kind: 'add'; newLine: number; text: string }
  | { kind: 'remove'; oldLine: number; text: string }
  | { kind: 'no-newline'; text: string };

const NO_NEWLINE = '\\ No newline at end of file';

/** Each file's counts and the totals. */
export function summarisePatch(files: readonly FilePatch[]): PatchSummary {
  const summaries = files.map(summariseFile);
  return {
    files: summaries,
    added: summaries.reduce((sum, file) => sum + file.added, 0),
    removed: summaries.reduce((sum, file) => sum + file.removed, 0),
  };
}

export function summariseFile(file: FilePatch): FileSummary {
  let added = 0;
  let removed = 0;
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      if (line.kind === 'add') added++;
      else if (line.kind === 'remove') removed++;
    }
  }
  const moved = (file.change === 'renamed' || file.change === 'copied') && file.oldPath !== undefined && file.newPath !== undefined;
  return { title: moved ? `${file.oldPath} → ${file.newPath}` : pathOf(file), path: pathOf(file), change: file.change, binary: file.binary, added, removed };
}

/** "+12 −3" (a real minus sign, as the chat shows it). */
export function formatCounts(added: number, removed: number): string {
  return `+${added} \u2212${removed}`;
}

/** One file's diff as rows to show, at most `maxRows` (the rest is summed up by the caller). */
export function diffRows(file: FilePatch, maxRows = Number.POSITIVE_INFINITY): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const hunk of file.hunks) {
    if (rows.length >= maxRows) break;
    rows.push({ kind: 'hunk', text: hunkHeader(hunk) });
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      if (rows.length >= maxRows) break;
      const text = line.text.replace(/\r$/, '');
      if (line.kind === 'context') rows.push({ kind: 'context', oldLine: oldLine++, newLine: newLine++, text });
      else if (line.kind === 'add') rows.push({ kind: 'add', newLine: newLine++, text });
      else rows.push({ kind: 'remove', oldLine: oldLine++, text });
    }
    if ((hunk.oldNoNewlineAtEnd || hunk.newNoNewlineAtEnd) && rows.length < maxRows) rows.push({ kind: 'no-newline', text: NO_NEWLINE });
  }
  return rows;
}

export function hunkHeader(hunk: Hunk): string {
  const side = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${side(hunk.oldStart, hunk.oldLines)} +${side(hunk.newStart, hunk.newLines)} @@${hunk.section ? ` ${hunk.section}` : ''}`;
}

/** The patch as `git diff` would write it (what git apply and parsePatch read back). */
export function formatPatch(files: readonly FilePatch[]): string {
  const out: string[] = [];
  for (const file of files) {
    const oldName = file.oldPath ?? file.newPath!;
    const newName = file.newPath ?? file.oldPath!;
    out.push(`diff --git ${quote(`a/${oldName}`)} ${quote(`b/${newName}`)}`);
    if (file.change === 'added') out.push(`new file mode ${file.newMode ?? '100644'}`);
    else if (file.change === 'deleted') out.push(`deleted file mode ${file.oldMode ?? '100644'}`);
    else if (file.oldMode !== undefined && file.newMode !== undefined && file.oldMode !== file.newMode)
      out.push(`old mode ${file.oldMode}`, `new mode ${file.newMode}`);
    if (file.change === 'renamed' || file.change === 'copied') {
      const verb = file.change === 'renamed' ? 'rename' : 'copy';
      out.push(`${verb} from ${quote(oldName)}`, `${verb} to ${quote(newName)}`);
    }
    if (file.oldBlob !== undefined && file.newBlob !== undefined)
      out.push(`index ${file.oldBlob}..${file.newBlob}${file.indexMode !== undefined ? ` ${file.indexMode}` : ''}`);
    if (file.binary) {
      out.push(
        `Binary files ${file.oldPath !== undefined ? quote(`a/${oldName}`) : '/dev/null'} and ${file.newPath !== undefined ? quote(`b/${newName}`) : '/dev/null'} differ`,
      );
      continue;
    }
    if (file.hunks.length === 0) continue;
    out.push(`--- ${file.oldPath !== undefined ? quote(`a/${file.oldPath}`) : '/dev/null'}`);
    out.push(`+++ ${file.newPath !== undefined ? quote(`b/${file.newPath}`) : '/dev/null'}`);
    for (const hunk of file.hunks) {
      out.push(hunkHeader(hunk));
      hunk.lines.forEach((line, index) => {
        out.push(`${line.kind === 'context' ? ' ' : line.kind === 'add' ? '+' : '-'}${line.text}`);
        if (isLastOfSide(hunk, index)) out.push(NO_NEWLINE);
      });
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** Whether the marker follows line `index`: the last line of a side that ends without a newline. */
function isLastOfSide(hunk: Hunk, index: number): boolean {
  const line = hunk.lines[index]!;
  const lastOf = (kind: 'add' | 'remove') => {
    for (let i = hunk.lines.length - 1; i >= 0; i--) if (hunk.lines[i]!.kind !== kind) return i;
    return -1;
  };
  const lastOld = lastOf('add');
  const lastNew = lastOf('remove');
  if (line.kind === 'context') return hunk.oldNoNewlineAtEnd && hunk.newNoNewlineAtEnd && index === lastOld && index === lastNew;
  if (line.kind === 'remove') return hunk.oldNoNewlineAtEnd && index === lastOld;
  return hunk.newNoNewlineAtEnd && index === lastNew;
}

/** A name as git writes it: quoted with C escapes when it holds a quote, backslash, control or non-ASCII character. */
function quote(name: string): string {
  if (!/["\\\u0000-\u001f\u007f-\uffff]/.test(name)) return name;
  const escapes: Record<string, string> = { '\u0007': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\u000b': 'v', '\f': 'f', '\r': 'r', '"': '"', '\\': '\\' };
  let out = '';
  for (const char of name) {
    if (escapes[char] !== undefined) out += `\\${escapes[char]}`;
    else if (/[\u0000-\u001f\u007f]/.test(char)) out += `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`;
    else if (char.charCodeAt(0) < 0x80) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `"${out}"`;
}
