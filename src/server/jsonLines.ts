import { z } from 'zod';

/**
 * The lines of a JSON-lines file (the history log, the peer directory's journal) that parse and
 * fit `schema`, in order, and how many did not. A torn last line after a crash is one of those:
 * callers skip them and say so, never fail on them.
 */
export function parseJsonLines<T extends z.ZodTypeAny>(text: string, schema: T): { values: z.infer<T>[]; bad: number } {
  const values: z.infer<T>[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    let parsed;
    try {
      parsed = schema.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) values.push(parsed.data);
    else bad++;
  }
  return { values, bad };
}
