/** Times and days as people read them, in the webview's locale and time zone. */

/** Consecutive messages from one sender this close together share a header. */
export const GROUP_GAP_MS = 5 * 60_000;

export function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** "14:05" or "2:05 PM", as the locale writes it. */
export function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** Full date and time, for tooltips. */
export function formatFull(ts: number): string {
  return new Date(ts).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}

/** "Today", "Yesterday", "Monday, March 3", or with the year when it is not this year. */
export function formatDay(ts: number, now = Date.now()): string {
  if (sameDay(ts, now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (sameDay(ts, yesterday.getTime())) return 'Yesterday';
  const date = new Date(ts);
  const options: Intl.DateTimeFormatOptions = { weekday: 'long', month: 'long', day: 'numeric' };
  if (date.getFullYear() !== new Date(now).getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString(undefined, options);
}
