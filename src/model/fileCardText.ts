import type { EndedBy, FileCardState, SavedPlace } from './fileCardTypes';

/**
 * The words on a file card, in one place (the chat's card and the notifications say the same).
 * Declining, cancelling and an offer running out are outcomes someone chose, said plainly; only
 * a failure reads as an error, with its reason.
 */

export interface CardFacts {
  direction: 'in' | 'out';
  peerName: string;
  what: string;
  size: string;
  state: FileCardState;
  bytes: number;
  total: number;
  /** Bytes per second, smoothed; 0 when unknown. */
  rate: number;
  etaSeconds: number | undefined;
  endedBy?: EndedBy;
  reason?: string;
  saved?: readonly SavedPlace[];
  /** The download folder the files went to (incoming, once accepted). */
  folder?: string;
}

/** Reasons our own side gives when declining: nothing the reader needs repeated. */
const PLAIN_DECLINES = new Set(['declined', 'no reason given', '']);

export function cardTitle(f: Pick<CardFacts, 'direction' | 'peerName' | 'what' | 'size'>): string {
  return f.direction === 'in' ? `${f.peerName} offers ${f.what} (${f.size})` : `You offer ${f.what} (${f.size}) to ${f.peerName}`;
}

export function cardStatus(f: CardFacts): { status: string; tone: 'neutral' | 'success' | 'error' } {
  const neutral = (status: string) => ({ status, tone: 'neutral' as const });
  const incoming = f.direction === 'in';
  switch (f.state) {
    case 'offered':
      return neutral('Waiting for your answer.');
    case 'waiting':
      return neutral(`Waiting for ${f.peerName} to accept…`);
    case 'accepting':
      return neutral('Preparing the download folder…');
    case 'moving':
      return neutral(`${incoming ? 'Receiving' : 'Sending'}… ${percent(f.bytes, f.total)}%${speed(f.rate, f.etaSeconds)}`);
    case 'interrupted':
      return neutral(
        incoming ? `Connection lost; continues when ${f.peerName} is back.` : `Connection lost; continues when you and ${f.peerName} are both back.`,
      );
    case 'done':
      if (!incoming) return { status: 'Delivered; checksums verified.', tone: 'success' };
      return { status: `Saved to ${f.saved?.length === 1 ? f.saved[0].path : (f.folder ?? 'the download folder')}`, tone: 'success' };
    case 'declined':
      if (incoming) return neutral(f.reason === 'not answered' ? 'Not answered.' : 'You declined.');
      if (f.reason === 'not answered') return neutral(`${f.peerName} did not answer.`);
      return neutral(`${f.peerName} declined${f.reason && !PLAIN_DECLINES.has(f.reason) ? `: ${f.reason}` : '.'}`);
    case 'cancelled':
      if (f.endedBy === 'you') return neutral('You cancelled.');
      if (f.endedBy === 'peer') return neutral(`${f.peerName} cancelled.`);
      return neutral(`Stopped: ${f.reason ?? 'the connection was lost'}.`);
    case 'expired':
      return neutral(incoming ? 'The offer expired before it was answered.' : `${f.peerName} did not answer in time; the offer expired.`);
    case 'failed':
      return { status: `Failed: ${f.reason ?? 'unknown error'}`, tone: 'error' };
  }
}

/** Why a place has another name than the one offered: a name taken, or one the disk cannot hold. */
export function renameNote(place: SavedPlace): string | undefined {
  const offered = place.offeredName;
  if (offered === undefined) return undefined;
  const dot = offered.lastIndexOf('.');
  const stem = dot > 0 && !place.folder ? offered.slice(0, dot) : offered;
  const ext = dot > 0 && !place.folder ? offered.slice(dot) : '';
  const duplicate = new RegExp(`^${escapeRegExp(stem)} \\(\\d+\\)${escapeRegExp(ext)}$`).test(place.name);
  return duplicate ? `saved as ${place.name}: ${offered} already exists` : `saved as ${place.name}: ${offered} is not a valid name here`;
}

function percent(bytes: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((100 * bytes) / total)) : 100;
}

function speed(rate: number, eta: number | undefined): string {
  if (!(rate > 0)) return '';
  return ` · ${formatRate(rate)}${eta === undefined ? '' : ` · ${formatSeconds(eta)} left`}`;
}

function formatRate(rate: number): string {
  if (rate < 1024) return `${Math.round(rate)} B/s`;
  if (rate < 1024 * 1024) return `${(rate / 1024).toFixed(0)} KB/s`;
  return `${(rate / 1024 / 1024).toFixed(1)} MB/s`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
