import type { ConnectionView } from '../chatProtocol';
import { byId, h, icon } from './dom';

const STATE_ICON: Record<ConnectionView['state'], string> = {
  connected: 'pass',
  connecting: 'sync',
  reconnecting: 'sync',
  disconnected: 'debug-disconnect',
};

/** The strip above the conversation while not connected: what is going on, in one line. */
export class ConnectionBanner {
  private readonly el = byId('banner');

  update(connection: ConnectionView): void {
    const connected = connection.state === 'connected';
    this.el.hidden = connected;
    this.el.className = `banner banner-${connection.state}`;
    if (connected) {
      this.el.replaceChildren();
      return;
    }
    const spinning = connection.state !== 'disconnected' ? 'codicon-modifier-spin' : '';
    this.el.replaceChildren(
      icon(STATE_ICON[connection.state], spinning),
      h('span', { className: 'banner-text' }, connection.text || fallbackText(connection.state)),
    );
  }
}

function fallbackText(state: ConnectionView['state']): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    default:
      return 'Not connected. Messages you write are sent once the connection is back.';
  }
}
