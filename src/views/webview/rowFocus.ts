/**
 * A row redrawn or moved in the DOM loses the focus; the same control of the row that takes
 * its place gets it back, so a keyboard user stays where they were.
 */

/** Runs `move` (which replaces or moves `row`, returning the row now in its place) and refocuses. */
export function keepingFocus(row: HTMLElement, move: () => HTMLElement): void {
  const focused = focusedIndex(row);
  const now = move();
  if (focused >= 0) focusables(now)[focused]?.focus();
}

/** What can take the focus in a row, in order. */
function focusables(row: HTMLElement): HTMLElement[] {
  return [...row.querySelectorAll<HTMLElement>('button, textarea, [tabindex]')];
}

/** Which of a row's focusables has the focus (-1: none). */
function focusedIndex(row: HTMLElement): number {
  const active = document.activeElement;
  if (!active || !row.contains(active)) return -1;
  return focusables(row).indexOf(active as HTMLElement);
}
