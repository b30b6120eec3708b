/**
 * What W7 checks of each hit besides who may read it: that it answers the query's filters
 * (`from:`, `in:#channel`, `has:`, dates), so a search cannot meet its budget by returning the
 * wrong messages quickly. Dates are held loosely (a day's slack either way) and words not at
 * all: how text splits into words is the relay's to decide.
 */

export interface CheckedHit {
  conv: string;
  message: { from: string; fromName: string; text: string; ts: number; code?: unknown; files?: unknown[]; deleted?: boolean };
}

const DAY_MS = 86_400_000;

/** Why `hit` does not answer `query`, or undefined when it does. `channelKeys`: channel name → conversation key. */
export function hitProblem(query: string, hit: CheckedHit, channelKeys: Readonly<Record<string, string>>): string | undefined {
  const m = hit.message;
  if (m.deleted) return 'a deleted message';
  for (const token of query.match(/"[^"]*"|\S+/g) ?? []) {
    const colon = token.indexOf(':');
    if (token.startsWith('"') || colon <= 0) continue;
    const operator = token.slice(0, colon).toLowerCase();
    const value = token.slice(colon + 1);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
    switch (operator) {
      case 'from':
        if (m.fromName.toLowerCase() !== value.toLowerCase() && m.from !== value) return `from ${m.fromName}, not ${value}`;
        break;
      case 'in': {
        const key = value.startsWith('#') ? channelKeys[value.slice(1).toLowerCase()] : undefined;
        if (key !== undefined && hit.conv !== key) return `in ${hit.conv}, not ${value}`;
        if (value.startsWith('@') && !hit.conv.startsWith('@')) return `in ${hit.conv}, not a direct conversation`;
        break;
      }
      case 'has':
        if (value === 'code' && m.code === undefined && !m.text.includes('```')) return 'no code';
        if (value === 'file' && !(m.files && m.files.length > 0)) return 'no file';
        break;
      case 'on':
        if (m.ts < day - DAY_MS || m.ts >= day + 2 * DAY_MS) return `sent ${new Date(m.ts).toISOString()}, not on ${value}`;
        break;
      case 'after':
        if (m.ts < day - DAY_MS) return `sent ${new Date(m.ts).toISOString()}, not after ${value}`;
        break;
      case 'before':
        if (m.ts >= day + DAY_MS) return `sent ${new Date(m.ts).toISOString()}, not before ${value}`;
        break;
    }
  }
  return undefined;
}
