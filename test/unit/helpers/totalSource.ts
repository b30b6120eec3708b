/**
 * The lines the code-link tests share from a file: a small function whose lines are distinct, so a
 * test knows where they are and can move, edit or repeat them around it.
 */
export const TOTAL_FUNCTION: readonly string[] = [
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item;',
  '  return sum;',
  '}',
];
