import { strict as assert } from 'node:assert';
import { ErrorCode, TeamMessengerError } from '../../../../src/net/protocol/errors';
import { RelayAddresses } from '../../../../src/net/client/relayAddresses';
import { MAX_ADDRESSES, parseHostPorts } from '../../../../src/net/address';
import { connectClient, createClient, freePort, sendAndAck, startRelay, useCleanup, waitUntil, withTimeout } from '../../helpers/loopback';

describe('RelayAddresses', () => {
  const a = { host: '127.0.0.1', port: 1001 };
  const b = { host: '127.0.0.1', port: 1002 };
  const c = { host: 'relay-c', port: 1001 };

  it('tries the first address, then each alternate once (duplicates left out)', () => {
    const addresses = new RelayAddresses(a, [b, a, c, b]);
    assert.equal(addresses.count, 3);
    assert.deepEqual(addresses.current, a);
    assert.equal(addresses.moveOn(), false);
    assert.deepEqual(addresses.current, b);
    assert.equal(addresses.moveOn(), false);
    assert.deepEqual(addresses.current, c);
    assert.equal(addresses.moveOn(), true, 'back at the first: a whole round failed');
    assert.deepEqual(addresses.current, a);
  });

  it('starts the next round from the address that last let the client in', () => {
    const addresses = new RelayAddresses(a, [b, c]);
    addresses.moveOn();
    addresses.welcomed(); // in at b
    assert.equal(addresses.moveOn(), false);
    assert.deepEqual(addresses.current, c);
    assert.equal(addresses.moveOn(), false);
    assert.deepEqual(addresses.current, a);
    assert.equal(addresses.moveOn(), true);
    assert.deepEqual(addresses.current, b);
  });

  it('with one address every loss is a whole round', () => {
    const addresses = new RelayAddresses(a);
    assert.equal(addresses.moveOn(), true);
    assert.equal(addresses.moveOn(), true);
    assert.deepEqual(addresses.current, a);
  });
});

describe('a client with several relay addresses (real relays on loopback)', function () {
  this.timeout(20_000);
  const cleanup = useCleanup();

  it('gets in through an alternate when the first address is down, even when it may not retry', async () => {
    const relay = await startRelay(cleanup);
    const dead = await freePort();
    const bob = await connectClient(cleanup, relay.address().port, { name: 'bob' });
    const alice = await connectClient(cleanup, dead, {
      name: 'alice',
      alternates: [{ host: '127.0.0.1', port: relay.address().port }],
      retryFirstConnect: false,
      // A long backoff: getting in must not wait for it.
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await sendAndAck(alice, [bob.clientId], 'through the alternate');
    await bob.waitForText('through the alternate');
  });

  it('moves to the next relay at once when its relay goes away, and sends from its outbox there', async () => {
    const first = await startRelay(cleanup);
    const second = await startRelay(cleanup);
    const bob = await connectClient(cleanup, second.address().port, { name: 'bob' });
    const alice = await connectClient(cleanup, first.address().port, {
      name: 'alice',
      alternates: [{ host: '127.0.0.1', port: second.address().port }],
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await withTimeout(first.stop(), 'the first relay to stop');
    // Sent while alice is between relays: it waits in her outbox and goes once she is in.
    const sent = withTimeout(alice.send([bob.clientId], 'from the second relay'), 'the ack from the second relay');
    await waitUntil(() => alice.events.welcome.length >= 2 && alice.state === 'connected', alice, ['welcome', 'state'], 'alice in again, at the second relay');
    await sent;
    await bob.waitForText('from the second relay');
  });

  it('gives up after one round when it may not retry and no address answers', async () => {
    const [one, two] = [await freePort(), await freePort()];
    const alice = createClient(cleanup, one, { name: 'alice', alternates: [{ host: '127.0.0.1', port: two }], retryFirstConnect: false });
    const failed = await alice.connect().then(
      () => assert.fail('connected to nothing'),
      (err: unknown) => err,
    );
    assert.ok(failed instanceof TeamMessengerError);
    assert.equal(failed.code, ErrorCode.Unreachable);
    assert.equal(alice.state, 'closed');
  });
});

describe('parseHostPorts', () => {
  it('reads a list of addresses, port 9999 where left out, and says which one is wrong', () => {
    assert.deepEqual(parseHostPorts(' relay1:4000, relay2 ,[::1]:5000 ', 9999), [
      { host: 'relay1', port: 4000 },
      { host: 'relay2', port: 9999 },
      { host: '::1', port: 5000 },
    ]);
    assert.deepEqual(parseHostPorts('relay1,', 9999), [{ host: 'relay1', port: 9999 }]);
    assert.throws(() => parseHostPorts('relay1, relay2:99999', 9999), /the port in relay2:99999 is not 1\.\.65535/);
    assert.throws(() => parseHostPorts(' , ', 9999), /is not HOST:PORT/);
    assert.throws(() => parseHostPorts(Array.from({ length: MAX_ADDRESSES + 1 }, (_, i) => `r${i}`).join(','), 9999), /at most 16 addresses/);
  });
});
