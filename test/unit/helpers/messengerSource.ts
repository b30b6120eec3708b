import { Emitter } from '../../../src/model/lifecycle';
import { ClientSource, KeyValueStore, Messenger, MessengerSettings } from '../../../src/model/messenger';
import type { ClientState, TeamClient } from '../../../src/net/client/teamClient';
import type { Identity } from '../../../src/net/identity';
import { Logger, silentLogger } from '../../../src/net/logger';
import type { TeamMessengerError } from '../../../src/net/protocol/errors';
import { Cleanup, createClient, TestClient, withTimeout } from './loopback';
import { MemoryState } from './savedState';

/** The extension's ConnectionManager without VS Code: one client at a time, told to the Messenger. */
export class TestClientSource implements ClientSource {
  client: TestClient | undefined;
  server = '';
  watchFor: ((selfId: string) => string[]) | undefined;
  private readonly created = new Emitter<TeamClient>();
  private readonly state = new Emitter<ClientState>();
  private readonly failed = new Emitter<TeamMessengerError>();
  readonly onDidCreateClient = this.created.event;
  readonly onDidChangeState = this.state.event;
  readonly onDidFail = this.failed.event;

  constructor(private readonly cleanup: Cleanup) {}

  async connect(port: number, name: string, identity: Identity): Promise<TestClient> {
    await this.client?.close();
    const watch = this.watchFor?.(identity.clientId);
    const client = createClient(this.cleanup, port, { name, identity, ...(watch ? { watch } : {}) });
    this.client = client;
    this.server = `127.0.0.1:${port}`;
    client.on('state', (s) => this.state.fire(s));
    this.created.fire(client);
    await withTimeout(client.connect(), `${name} to connect`);
    return client;
  }
}

/** A Messenger over `source` (disposed with the cleanup), named `name`, receipts on unless told. */
export function testMessenger(
  cleanup: Cleanup,
  source: ClientSource,
  options: { state?: KeyValueStore; logger?: Logger; name?: string; settings?: Partial<MessengerSettings> } = {},
): Messenger {
  const settings: MessengerSettings = { historySize: 100, displayName: options.name ?? 'alice', sendReadReceipts: true, ...options.settings };
  const m = new Messenger(source, options.state ?? new MemoryState(), options.logger ?? silentLogger, () => settings);
  cleanup.add('messenger', () => m.dispose());
  return m;
}
