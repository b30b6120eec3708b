/**
 * Every `path:line[:col]` in a block of terminal output, a stack trace or a compiler message, with
 * where it sits in the text, so the chat can make each one a link. Knows the forms of Node
 * (`at fn (/app/a.js:3:7)`, `file:///…`), Python (`File "a.py", line 3`), Java
 * (`at pkg.Cls.m(Cls.java:3)` → `pkg/Cls.java`), Go (`/app/main.go:3 +0x1d`), Rust
 * (`--> src/main.rs:3:7`, `at ./src/main.rs:3:7`), TypeScript (`src/a.ts(3,7): error`, `src/a.ts:3:7 -
 * error`) and plain `path:line`.
 *
 * Pure and without Node's modules: the webview may call it too. Which file a location means in
 * the receiver's workspace is decided elsewhere (workspacePaths.locationCandidates).
 */

export interface FileLocation {
  /** Where the link goes in the text: UTF-16 offsets, end exclusive. */
  start: number;
  end: number;
  /** As written (a `file:` URL decoded); may be the sender's absolute path or a package path. */
  path: string;
  /** 1-based. */
  line: number;
  column?: number;
}

/** The most locations found in one text (a long log does not make thousands of links). */
export const MAX_LOCATIONS = 1000;
/** Only this much of each line is searched: stack frames and messages are short. */
export const MAX_LINE_CHARS = 4096;

interface Pattern {
  regex: RegExp;
  /** The location of a match, with offsets relative to the searched line; undefined to skip it. */
  read: (found: RegExpExecArray) => (Omit<FileLocation, 'start' | 'end'> & { from: number; to: number }) | undefined;
}

const PATTERNS: Pattern[] = [
  {
    // Python: File "/app/a.py", line 12, in main
    regex: /File "([^"]{1,1024})", line (\d+)/g,
    read: (f) => ({ path: f[1]!, line: Number(f[2]), from: f.index, to: f.index + f[0].length }),
  },
  {
    // Java, Kotlin, Scala: at com.example.Foo$Bar.run(Foo.java:42), module prefixes (java.base/) allowed
    regex: /\bat ((?:[\w$.-]+\/{1,2})?[\w$]+(?:\.[\w$<>-]+)+)\(([\w$-]+\.(?:java|kt|kts|scala|groovy|clj)):(\d+)\)/g,
    read: (f) => {
      const qualified = f[1]!.split('/').pop()!.split('.');
      const packagePath = qualified.slice(0, -2).join('/');
      const at = f.index + f[0].indexOf('(') + 1;
      return { path: packagePath ? `${packagePath}/${f[2]}` : f[2]!, line: Number(f[3]), from: at, to: at + f[2]!.length + 1 + f[3]!.length };
    },
  },
  {
    // TypeScript (tsc), C#: src/a.ts(12,5): error TS2322
    regex: /(?<![\w/.\\@+~-])((?:[A-Za-z]:)?[\w.@+~\\/-]*[\w@+-]\.[A-Za-z]\w{0,11})\((\d+),(\d+)\)/g,
    read: (f) => ({ path: f[1]!, line: Number(f[2]), column: Number(f[3]), from: f.index, to: f.index + f[0].length }),
  },
  {
    // Node (V8) frame with a function: at fn (/app/My Project/a.js:12:5); the path may hold spaces
    regex: /^\s*at (?:[^()]*? )?\(([^()]{1,1024}?):(\d+):(\d+)\)\s*$/g,
    read: (f) => frame(f, f.index + f[0].indexOf('(') + 1),
  },
  {
    // Node frame without a function, Rust backtrace: at /app/a.js:12:5, at ./src/main.rs:4:5
    regex: /^\s*at ([^\s()]{1,1024}):(\d+):(\d+)\s*$/g,
    read: (f) => frame(f, f.index + f[0].indexOf('at ') + 3),
  },
  {
    // file:///app/a.js:12:5 anywhere (ESM stack frames, test runners)
    regex: /(file:\/\/[^\s()'"<>]{1,1024}?):(\d+)(?::(\d+))?(?!\d)/g,
    read: (f) => {
      const path = fileUrlPath(f[1]!);
      return path !== undefined ? { path, line: Number(f[2]), ...column(f[3]), from: f.index, to: f.index + f[0].length } : undefined;
    },
  },
  {
    // Plain path:line[:col] (Go, Rust, gcc, eslint, grep -n, tsc --pretty, people)
    regex: /(?<![\w/.:\\@+~-])((?:[A-Za-z]:)?[\w.@+~\\/-]{1,1024}):(\d+)(?::(\d+))?(?![\d])/g,
    read: (f) => (looksLikePath(f[1]!) ? { path: f[1]!, line: Number(f[2]), ...column(f[3]), from: f.index, to: f.index + f[0].length } : undefined),
  },
];

/** Whether `text` may hold a location: every form above has one of these, and most chat text has none. */
export function mayHaveFileLocations(text: string): boolean {
  return /:\d|\(\d|, line \d/.test(text);
}

/** The locations in `text`, in order, none overlapping (the more specific form wins). */
export function findFileLocations(text: string): FileLocation[] {
  const found: FileLocation[] = [];
  let lineStart = 0;
  for (const fullLine of text.split('\n')) {
    const line = fullLine.slice(0, MAX_LINE_CHARS).replace(/\r$/, '');
    const taken: FileLocation[] = [];
    for (const pattern of PATTERNS) {
      pattern.regex.lastIndex = 0;
      for (let f = pattern.regex.exec(line); f !== null; f = pattern.regex.exec(line)) {
        const read = pattern.read(f);
        if (!read || read.line < 1 || !Number.isSafeInteger(read.line) || read.path.length === 0) continue;
        const location: FileLocation = {
          start: lineStart + read.from,
          end: lineStart + read.to,
          path: read.path,
          line: read.line,
          ...(read.column !== undefined ? { column: read.column } : {}),
        };
        if (!taken.some((t) => t.start < location.end && location.start < t.end)) taken.push(location);
      }
    }
    found.push(...taken.sort((a, b) => a.start - b.start));
    if (found.length >= MAX_LOCATIONS) return found.slice(0, MAX_LOCATIONS);
    lineStart += fullLine.length + 1;
  }
  return found;
}

/** A V8/Rust frame's location; runtime internals (`node:fs`, `<anonymous>`, `native`) are no files. */
function frame(f: RegExpExecArray, from: number): (Omit<FileLocation, 'start' | 'end'> & { from: number; to: number }) | undefined {
  let path = f[1]!;
  if (/^(?:node:|internal\/|<|native$|evalmachine\.)/.test(path) || path.includes('<anonymous>')) return undefined;
  if (/^https?:/i.test(path)) return undefined; // a browser frame: a URL, not a file
  path = path.replace(/^webpack:\/\/[^/]*\//, '');
  if (/^file:\/\//i.test(path)) {
    const decoded = fileUrlPath(path);
    if (decoded === undefined) return undefined;
    path = decoded;
  }
  const to = from + f[1]!.length + 1 + f[2]!.length + 1 + f[3]!.length;
  return { path, line: Number(f[2]), column: Number(f[3]), from, to };
}

/** Whether a plain `x:12` names a file: it has a folder or an extension, and is no host or time. */
function looksLikePath(token: string): boolean {
  if (/[\\/]$/.test(token) || !/[A-Za-z]/.test(token)) return false;
  if (/[\\/]/.test(token)) return true;
  const extension = /\.([A-Za-z]\w{0,11})$/.exec(token)?.[1];
  // `example.com:443` is a host and port, not a file.
  return extension !== undefined && !/^(?:com|org|net|edu|gov|local|localhost|internal)$/i.test(extension);
}

function fileUrlPath(url: string): string | undefined {
  try {
    const path = decodeURIComponent(url.replace(/^file:\/\/(?:localhost)?/i, ''));
    return /^\/[A-Za-z]:[\\/]/.test(path) ? path.slice(1) : path;
  } catch {
    return undefined;
  }
}

function column(text: string | undefined): { column?: number } {
  return text !== undefined ? { column: Number(text) } : {};
}
