// The chaos test's books must catch what they are there to catch: a missing, duplicated or
// renumbered delivery and a seq going backwards (otherwise the chaos test could never fail).
import * as assert from 'node:assert/strict';
import type { ChaosClient, RawDelivery } from './chaosClients';
import { ChaosLedger } from './chaosLedger';

/** A stand-in client whose sends are acked with the next seq (no relay involved). */
function fakeClients(count: number): { clients: ChaosClient[]; nextSeq: () => number } {
  let seq = 0;
  const clients = Array.from(
    { length: count },
    (_, index) =>
      ({
        index,
        relay: 0,
        clientId: `id${index}`,
        deliveries: [] as RawDelivery[],
        client: { send: () => Promise.resolve({ seq: ++seq }) },
      }) as unknown as ChaosClient,
  );
  return { clients, nextSeq: () => seq };
}

function deliver(client: ChaosClient, text: string, seq: number): void {
  client.deliveries.push({ text, seq, from: 'x', at: 0 });
}

describe('chaos ledger', () => {
  it('passes exact-once deliveries and names each kind of violation', async () => {
    const { clients } = fakeClients(3);
    const ledger = new ChaosLedger(clients);
    ledger.send(0, 'broadcast', 'all', [1, 2]);
    ledger.send(1, 'direct', ['id2'], [2]);
    await Promise.resolve();
    const [all, direct] = ledger.sent;
    deliver(clients[1], all.text, 1);
    deliver(clients[2], all.text, 1);
    deliver(clients[2], direct.text, 2);
    assert.deepEqual(ledger.violations(), []);
    assert.equal(ledger.allDelivered(), true);

    deliver(clients[2], direct.text, 2); // a duplicate, which also breaks the order
    ledger.send(2, 'direct', ['id0'], [0]); // never delivered
    ledger.send(2, 'direct', ['id1'], [1]);
    await Promise.resolve();
    deliver(clients[1], ledger.sent[3].text, 99); // renumbered
    const found = ledger.violations().map((v) => v.what);
    assert.deepEqual(found.sort(), ['duplicate', 'missing', 'seq not increasing', 'wrong seq']);
    assert.equal(ledger.allDelivered(), false);
    assert.match(ChaosLedger.summary(ledger.violations()), /1 × missing \[direct sent steady\]/);
  });

  it('lists a send that was neither acked nor refused', () => {
    const { clients } = fakeClients(2);
    (clients[0].client as unknown as { send: () => Promise<never> }).send = () => new Promise(() => {});
    const ledger = new ChaosLedger(clients);
    ledger.send(0, 'direct', ['id1'], [1]);
    assert.equal(ledger.unsettled, 1);
    assert.deepEqual(
      ledger.violations().map((v) => v.what),
      ['never settled'],
    );
  });
});
