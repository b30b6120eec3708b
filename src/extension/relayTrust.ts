import * as vscode from 'vscode';
import { ClientTlsOptions } from '../net/client/teamClient';
import { inert } from '../model/inertText';
import { showWarningMessage } from '../views/safeWindow';

const PIN_PREFIX = 'teamMessenger.pinnedCertificate.';

/**
 * Which relay certificates this user trusts: pinned per `host:port` in global state the first
 * time (after a modal that shows the fingerprint to compare), required to match from then on.
 */
export class RelayTrust {
  constructor(private readonly state: vscode.Memento) {}

  pinned(server: string): string | undefined {
    const value = this.state.get<unknown>(PIN_PREFIX + server);
    return typeof value === 'string' ? value : undefined;
  }

  async pin(server: string, fingerprint: string): Promise<void> {
    await this.state.update(PIN_PREFIX + server, fingerprint);
  }

  async forget(server: string): Promise<void> {
    await this.state.update(PIN_PREFIX + server, undefined);
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
