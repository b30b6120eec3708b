import type { CodeRef } from '../net/protocol/messages';

/** Where shared code sits, for people: "src/a.ts, line 10" or "src/a.ts, lines 10–24" (the whole range, not its start). */
export function describeCodeRange(code: Pick<CodeRef, 'path' | 'startLine' | 'endLine'>): string {
  const lines = code.endLine > code.startLine ? `lines ${code.startLine}–${code.endLine}` : `line ${code.startLine}`;
  return `${code.path}, ${lines}`;
}
