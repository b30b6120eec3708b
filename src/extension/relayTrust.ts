import { ClientTlsOptions } from '../net/client/teamClient';
import { inert } from '../model/inertText';
import { SavedState } from '../model/savedState';
import { showWarningMessage } from '../views/safeWindow';
import { loadPin, PIN, pinKey } from './savedRelays';

/**
 * Which relay certificates this user trusts: pinned per `host:port` the first time (after a
 * modal that shows the fingerprint to compare), required to match from then on. Pins are kept
 * in a file of the extension's global storage, on disk at once (see JsonFileStore); a pin an
 * earlier version kept in global state is still honoured, and moved to the file when read.
 */
export class RelayTrust {
  constructor(
    private readonly pins: SavedState,
    private readonly earlier: SavedState,
  ) {}

  pinned(server: string): string | undefined {
    const pin = loadPin(this.pins, server);
    if (pin !== undefined) return pin;
    const earlier = loadPin(this.earlier, server);
    if (earlier !== undefined) void this.pin(server, earlier);
    return earlier;
  }

  async pin(server: string, fingerprint: string): Promise<void> {
    await this.pins.write(pinKey(server), fingerprint, PIN);
  }

  async forget(server: string): Promise<void> {
    await this.pins.write(pinKey(server), undefined, PIN);
    await this.earlier.write(pinKey(server), undefined, PIN);
  }

  /** TLS options for a connection to `server`: CA verification when a CA is configured, else pinning. */
  tlsFor(server: string, ca: string | undefined): ClientTlsOptions {
    if (ca) return { ca };
    const pinned = this.pinned(server);
    return {
      ...(pinned ? { fingerprint: pinned } : {}),
      trustOnFirstUse: async (fingerprint) => {
        const choice = await showWarningMessage(
          inert`First connection to the relay at ${server}. Trust its certificate?`,
          {
            modal: true,
            detail: inert(
              `SHA-256 fingerprint:\n${fingerprint}\n\n` +
                'Compare it with the fingerprint the relay printed when it started (ask whoever runs it). ' +
                'Trust it only if they match: from now on, a different certificate will be refused.',
              { multiline: true, maxChars: 1000 },
            ),
          },
          'Trust',
        );
        return choice === 'Trust';
      },
      onPinned: (fingerprint) => void this.pin(server, fingerprint),
    };
  }
}
