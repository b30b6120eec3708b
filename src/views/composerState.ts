import type { MessengerModel } from '../model/messengerModel';
import type { ComposerState } from './chatProtocol';

/**
 * What the chat's composer does with Enter, from the connection: send now; offline, keep the
 * message as pending and send it on the next connection; before any connection (nothing to
 * queue into), send nothing and keep the text in the box. Never a silent loss.
 */
export function composerState(messenger: Pick<MessengerModel, 'connectionState' | 'acceptsMessages'>): ComposerState {
  if (messenger.connectionState === 'connected') return { mode: 'send', note: '' };
  if (messenger.acceptsMessages) return { mode: 'queue', note: 'Offline: messages you send wait here and go out when the connection is back.' };
  return { mode: 'blocked', note: 'Not connected to a relay, so nothing can be sent yet. What you type stays here.' };
}
