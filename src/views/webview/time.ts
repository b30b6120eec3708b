/** Times and days as people read them, in the webview's locale and time zone. */

/** Consecutive messages from one sender this close together share a header. */
export const GROUP_GAP_MS = 5 * 60_000;

// One formatter each, made once: creating one per message costs more than the rest of a row.
const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const DAY_AND_YEAR = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

export function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** "14:05" or "2:05 PM", as the locale writes it. */
export function formatTime(ts: number): string {
  return safely(TIME, ts);
}

/** Full date and time, for tooltips. */
export function formatFull(ts: number): string {
  return safely(FULL, ts);
}

/** "Today", "Yesterday", "Monday, March 3", or with the year when it is not this year. */
export function formatDay(ts: number, now = Date.now()): string {
  if (sameDay(ts, now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (sameDay(ts, yesterday.getTime())) return 'Yesterday';
  return safely(new Date(ts).getFullYear() === new Date(now).getFullYear() ? DAY : DAY_AND_YEAR, ts);
}

/** A time no Date can hold (from a broken peer) reads "Invalid Date", as before, rather than throwing. */
function safely(format: Intl.DateTimeFormat, ts: number): string {
  return Number.isFinite(ts) && Math.abs(ts) <= 8.64e15 ? format.format(ts) : 'Invalid Date';
}
