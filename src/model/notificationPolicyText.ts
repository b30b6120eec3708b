import { inert, InertText, joinInert } from './inertText';
import type { QuietReason } from './notificationPolicy';
import type { PeerStatus } from '../net/protocol/messages';

/** The icon alone (Available) and with the name (the others); our own words, so literal. */
const STATUS_TEXT: Record<PeerStatus, { icon: InertText; named: InertText; label: string }> = {
  online: { icon: inert`$(bell)`, named: inert`$(bell) Available`, label: 'Available' },
  away: { icon: inert`$(clock)`, named: inert`$(clock) Away`, label: 'Away' },
  busy: { icon: inert`$(circle-slash)`, named: inert`$(circle-slash) Busy`, label: 'Busy' },
  dnd: { icon: inert`$(bell-slash)`, named: inert`$(bell-slash) Do Not Disturb`, label: 'Do Not Disturb' },
};

/**
 * The status bar's focus item: the status (an icon alone when Available), quiet mode and how many
 * notifications wait for the summary; the tooltip says what each means.
 */
export function describeFocus(status: PeerStatus, automaticAway: boolean, quiet: QuietReason | undefined, held: number): { text: InertText; tooltip: string } {
  const { icon, named, label } = STATUS_TEXT[status];
  const parts = [status === 'online' ? icon : named];
  if (quiet) parts.push(quiet === 'debugging' ? inert`$(debug) quiet` : inert`$(edit) quiet`);
  if (held > 0) parts.push(inert`· ${held} held`);
  const tooltipParts = [`Team Messenger: ${label}${automaticAway ? ' (idle; back on your next activity)' : ''}`];
  if (quiet) tooltipParts.push(`Notifications held while you are ${quiet}; mentions and urgent messages still come through.`);
  if (status === 'dnd') tooltipParts.push('Only urgent messages notify.');
  if (status === 'busy') tooltipParts.push('Only mentions and urgent messages notify.');
  if (held > 0) tooltipParts.push(`${held} held for a summary afterwards.`);
  tooltipParts.push('Click to set your status.');
  return { text: joinInert(parts, ' '), tooltip: tooltipParts.join('\n') };
}
