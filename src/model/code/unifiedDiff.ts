/**
 * Unified diffs as `git diff` (and `diff -u`) write them, parsed strictly into files and hunks: a
 * patch comes from a peer, so every count is checked against the lines that follow it, and a
 * patch that says one thing and holds another is refused with the line where it goes wrong.
 */

export type FileChange = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface DiffLine {
  kind: 'context' | 'add' | 'remove';
  /** The line without its leading marker or line ending (a CRLF file's `\r` stays). */
  text: string;
}

export interface Hunk {
  /** 1-based first line on each side (0 when that side is empty), and how many lines each side has. */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** What follows the second `@@` (git puts the enclosing function there). */
  section: string;
  lines: DiffLine[];
  /** `\ No newline at end of file` after the old side's last line / the new side's. */
  oldNoNewlineAtEnd: boolean;
  newNoNewlineAtEnd: boolean;
}

export interface FilePatch {
  /** Paths without git's `a/`/`b/` prefixes; undefined for the missing side of an added or deleted file. */
  oldPath?: string;
  newPath?: string;
  change: FileChange;
  /** Git said "Binary files … differ" or carried a binary patch: there are no hunks to apply. */
  binary: boolean;
  oldMode?: string;
  newMode?: string;
  /** Git's `index <old>..<new> [mode]` line: abbreviated blob ids (all zeros for a missing side). */
  oldBlob?: string;
  newBlob?: string;
  indexMode?: string;
  hunks: Hunk[];
}

export type ParsedPatch = { ok: true; files: FilePatch[] } | { ok: false; problem: string; line: number };

export const PatchLimits = {
  files: 1000,
  lines: 500_000,
} as const;

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

class PatchError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
  ) {
    super(problem);
  }
}

/** The files and hunks of a unified diff (text before the first file, as in a mail, is skipped). */
export function parsePatch(text: string): ParsedPatch {
  const lines = text.split('\n');
  if (lines.length > PatchLimits.lines) return { ok: false, problem: `the patch is longer than ${PatchLimits.lines} lines`, line: PatchLimits.lines };
  if (lines[lines.length - 1] === '') lines.pop();
  try {
    const files = new Parser(lines).files();
    if (files.length === 0) return { ok: false, problem: 'there is no diff in it', line: 1 };
    return { ok: true, files };
  } catch (error) {
    if (error instanceof PatchError) return { ok: false, problem: error.problem, line: error.line };
    throw error;
  }
}

/** The path a file patch is known by: its new path, or its old one when the file is deleted. */
export function pathOf(file: FilePatch): string {
  return file.newPath ?? file.oldPath ?? '';
}

class Parser {
  private at = 0;

  constructor(private readonly lines: string[]) {}

  files(): FilePatch[] {
    const files: FilePatch[] = [];
    while (this.at < this.lines.length) {
      const line = this.header(this.at);
      if (line.startsWith('diff --git ') || (line.startsWith('--- ') && this.header(this.at + 1).startsWith('+++ '))) {
        if (files.length >= PatchLimits.files) this.fail(`the patch changes more than ${PatchLimits.files} files`);
        files.push(this.file());
      } else {
        this.at++; // a mail's headers and message, a format-patch signature
      }
    }
    return files;
  }

  private file(): FilePatch {
    const file: FilePatch = { change: 'modified', binary: false, hunks: [] };
    const git = this.header(this.at).startsWith('diff --git ');
    if (git) {
      const both = splitGitPaths(this.header(this.at).slice('diff --git '.length));
      if (both) [file.oldPath, file.newPath] = both;
      this.at++;
      this.gitHeaders(file);
    }
    if (this.header(this.at).startsWith('--- ')) {
      const oldPath = this.path(this.header(this.at).slice(4), 'a/');
      if (!this.header(this.at + 1).startsWith('+++ ')) this.fail('a "---" line is not followed by "+++"', this.at + 1);
      const newPath = this.path(this.header(this.at + 1).slice(4), 'b/');
      this.at += 2;
      file.oldPath = oldPath;
      file.newPath = newPath;
      if (oldPath === undefined && newPath === undefined) this.fail('both sides are /dev/null', this.at - 1);
      if (oldPath === undefined) file.change = 'added';
      else if (newPath === undefined) file.change = 'deleted';
    }
    if (file.change === 'added') file.oldPath = undefined;
    if (file.change === 'deleted') file.newPath = undefined;
    if (file.oldPath === undefined && file.newPath === undefined) this.fail('a file in the patch has no name', this.at);
    while (this.at < this.lines.length && this.lines[this.at]!.startsWith('@@')) file.hunks.push(this.hunk(file.hunks[file.hunks.length - 1]));
    // A diff line right after the counted ones: the header undercounts (`-- ` is a mail's signature).
    const after = this.header(this.at);
    if (file.hunks.length > 0 && /^[-+ ]/.test(after) && after !== '-- ' && !after.startsWith('--- ')) {
      this.fail('a hunk has more lines than its header says');
    }
    if (!file.binary && file.hunks.length === 0 && file.change === 'modified' && file.oldMode === undefined) {
      this.fail(`${pathOf(file)} has no changes in the patch`, this.at);
    }
    return file;
  }

  /** Git's extended headers: modes, renames, copies, binary markers. */
  private gitHeaders(file: FilePatch): void {
    for (; this.at < this.lines.length; this.at++) {
      const line = this.header(this.at);
      let found: RegExpExecArray | null;
      if ((found = /^(old|new|deleted file|new file) mode (\d{6})$/.exec(line))) {
        if (found[1] === 'old' || found[1] === 'deleted file') file.oldMode = found[2];
        else file.newMode = found[2];
        if (found[1] === 'deleted file') file.change = 'deleted';
        if (found[1] === 'new file') file.change = 'added';
      } else if ((found = /^(rename|copy) (from|to) (.+)$/.exec(line))) {
        const path = unquote(found[3]!, this.at);
        if (found[2] === 'from') file.oldPath = path;
        else file.newPath = path;
        file.change = found[1] === 'rename' ? 'renamed' : 'copied';
      } else if ((found = /^index ([0-9a-f]{4,64})\.\.([0-9a-f]{4,64})(?: (\d{6}))?$/.exec(line))) {
        // The blobs let a receiver with the same history merge three ways (gitPatches.ts).
        file.oldBlob = found[1];
        file.newBlob = found[2];
        if (found[3] !== undefined) file.indexMode = found[3];
      } else if (/^(similarity|dissimilarity) index \d+%$/.test(line)) {
        // nothing to keep
      } else if (/^Binary files .* differ$/.test(line)) {
        file.binary = true;
      } else if (line === 'GIT binary patch') {
        file.binary = true;
        // literal/delta blocks up to the next file
        while (this.at + 1 < this.lines.length && !this.lines[this.at + 1]!.startsWith('diff --git ')) this.at++;
      } else {
        return;
      }
    }
  }

  private hunk(previous: Hunk | undefined): Hunk {
    const headerAt = this.at;
    const found = HUNK_HEADER.exec(this.header(this.at));
    if (!found) this.fail(`"${this.header(this.at).slice(0, 60)}" is not a hunk header (@@ -a,b +c,d @@)`);
    const [oldStart, oldLines, newStart, newLines] = [found[1], found[2] ?? '1', found[3], found[4] ?? '1'].map(Number) as [number, number, number, number];
    if (![oldStart, oldLines, newStart, newLines].every(Number.isSafeInteger)) this.fail('a hunk header has a number too large');
    if ((oldStart === 0 && oldLines > 0) || (newStart === 0 && newLines > 0)) this.fail('a hunk starts at line 0 of a side that has lines');
    if (previous && oldStart < previous.oldStart + previous.oldLines) this.fail('hunks overlap or are out of order');
    const hunk: Hunk = { oldStart, oldLines, newStart, newLines, section: found[5]!, lines: [], oldNoNewlineAtEnd: false, newNoNewlineAtEnd: false };
    this.at++;
    let oldLeft = oldLines;
    let newLeft = newLines;
    while (oldLeft > 0 || newLeft > 0) {
      if (this.at >= this.lines.length) this.fail(`the hunk at line ${headerAt + 1} ends early: ${oldLeft} old and ${newLeft} new lines missing`);
      const line = this.lines[this.at]!;
      const marker = line[0];
      // An empty line is an empty context line whose space an editor or mailer took off.
      if (marker === ' ' || line === '' || line === '\r') {
        hunk.lines.push({ kind: 'context', text: line.slice(1) });
        oldLeft--;
        newLeft--;
      } else if (marker === '-') {
        hunk.lines.push({ kind: 'remove', text: line.slice(1) });
        oldLeft--;
      } else if (marker === '+') {
        hunk.lines.push({ kind: 'add', text: line.slice(1) });
        newLeft--;
      } else if (marker === '\\') {
        this.noNewline(hunk);
      } else {
        this.fail(`the hunk at line ${headerAt + 1} ends early: ${oldLeft} old and ${newLeft} new lines missing`);
      }
      if (oldLeft < 0 || newLeft < 0) this.fail(`the hunk at line ${headerAt + 1} has more lines than its header says`);
      this.at++;
    }
    if (this.at < this.lines.length && this.lines[this.at]!.startsWith('\\')) {
      this.noNewline(hunk);
      this.at++;
    }
    return hunk;
  }

  /** `\ No newline at end of file` belongs to the line before it. */
  private noNewline(hunk: Hunk): void {
    const last = hunk.lines[hunk.lines.length - 1];
    if (!last) this.fail('"\\ No newline at end of file" follows no line');
    if (last.kind !== 'add') hunk.oldNoNewlineAtEnd = true;
    if (last.kind !== 'remove') hunk.newNoNewlineAtEnd = true;
  }

  /** A `---`/`+++` path: undefined for /dev/null, git's prefix and any timestamp taken off. */
  private path(raw: string, prefix: 'a/' | 'b/'): string | undefined {
    let path = raw.startsWith('"') ? unquote(raw.replace(/\t.*$/, ''), this.at) : raw.replace(/\t.*$/, '');
    if (path === '/dev/null') return undefined;
    if (path.startsWith(prefix)) path = path.slice(2);
    if (path === '') this.fail('a file in the patch has an empty name');
    return path;
  }

  /** A header line without a CRLF patch's `\r`. */
  private header(index: number): string {
    return (this.lines[index] ?? '').replace(/\r$/, '');
  }

  private fail(problem: string, index = this.at): never {
    throw new PatchError(problem, index + 1);
  }
}

/** `a/x b/x` of a `diff --git` line, when the two names can be told apart (same name, or quoted). */
function splitGitPaths(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const quoted = /^("(?:[^"\\]|\\.)*") (.+)$/.exec(rest);
    if (!quoted) return undefined;
    const a = unquote(quoted[1]!, 0);
    const b = quoted[2]!.startsWith('"') ? unquote(quoted[2]!, 0) : quoted[2]!;
    return a.startsWith('a/') && b.startsWith('b/') ? [a.slice(2), b.slice(2)] : undefined;
  }
  // Unquoted names with spaces are ambiguous: take the split where both halves name the same file.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.startsWith('a/') && rest.slice(half + 1).startsWith('b/') && rest.slice(2, half) === rest.slice(half + 3)) {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  return undefined;
}

/** A path git quoted (`"sp\303\244ce\tname"`): C escapes, octal bytes as UTF-8. */
function unquote(text: string, index: number): string {
  if (!text.startsWith('"')) return text;
  if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new PatchError('a quoted file name is not closed', index + 1);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  const body = [...text.slice(1, -1)];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      bytes.push(...encoder.encode(body[i]));
      continue;
    }
    const octal = /^[0-3][0-7]{2}$/.test(body.slice(i + 1, i + 4).join('')) ? body.slice(i + 1, i + 4).join('') : undefined;
    const next = body[i + 1] ?? '';
    if (octal !== undefined) {
      bytes.push(parseInt(octal, 8));
      i += 3;
    } else if (Object.hasOwn(escapes, next)) {
      bytes.push(escapes[next]!);
      i += 1;
    } else {
      throw new PatchError(`a quoted file name has an unknown escape \\${next}`, index + 1);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
