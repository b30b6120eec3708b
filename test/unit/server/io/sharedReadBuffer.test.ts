import { strict as assert } from 'node:assert';
import { EventEmitter, once } from 'node:events';
import * as net from 'node:net';
import { FrameKind, encodeFrame } from '../../../../src/net/protocol/frame';
import { FramedConnection, FramedConnectionHandlers } from '../../../../src/net/framedConnection';
import { FlushScheduler } from '../../../../src/net/protocol/frameWriter';
import { ClientMessage, RelayMessage } from '../../../../src/net/protocol/messages';
import { SharedReadBuffer } from '../../../../src/server/io/sharedReadBuffer';
import { HOST, useCleanup } from '../../helpers/loopback';
import { Prng } from '../../helpers/prng';

describe('SharedReadBuffer: accepted sockets reading into one reused buffer (real loopback)', function () {
  this.timeout(10_000);
  const cleanup = useCleanup();

  /** A server whose accepted sockets are adopted; resolves with its port and the adopted sockets. */
  async function server(shared: SharedReadBuffer) {
    const adopted: { socket: net.Socket; chunks: Buffer[]; buffers: Set<ArrayBufferLike>; setReader: (r: ((c: Buffer) => void) | undefined) => void }[] = [];
    const arrived = new EventTarget();
    const srv = net.createServer((socket) => {
      const entry = {
        socket,
        chunks: [] as Buffer[],
        buffers: new Set<ArrayBufferLike>(),
        setReader: (reader: ((chunk: Buffer) => void) | undefined) => shared.redirect(socket, reader && ((bytes, buffer) => reader(buffer.subarray(0, bytes)))),
      };
      const first = (bytes: number, buffer: Buffer) => {
        const chunk = buffer.subarray(0, bytes);
        entry.buffers.add(chunk.buffer);
        entry.chunks.push(Buffer.from(chunk));
        arrived.dispatchEvent(new Event('data'));
      };
      assert.ok(shared.adopt(socket, first), 'Node has the fields this relies on');
      assert.equal(shared.adopt(socket, first), false, 'a socket is adopted once');
      socket.on('data', () => assert.fail("no 'data' events: reads go to the callback"));
      socket.on('error', () => undefined);
      adopted.push(entry);
      arrived.dispatchEvent(new Event('socket'));
    });
    srv.listen(0, HOST);
    await once(srv, 'listening');
    cleanup.add('server', () => {
      for (const a of adopted) a.socket.destroy();
      srv.close();
    });
    const waitFor = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        if (check()) return resolve();
        const listener = () => {
          if (!check()) return;
          arrived.removeEventListener('data', listener);
          arrived.removeEventListener('socket', listener);
          resolve();
        };
        arrived.addEventListener('data', listener);
        arrived.addEventListener('socket', listener);
      });
    return { srv, port: (srv.address() as net.AddressInfo).port, adopted, waitFor };
  }

  function connect(port: number): Promise<net.Socket> {
    const socket = net.connect({ host: HOST, port });
    cleanup.add('client', () => socket.destroy());
    return once(socket, 'connect').then(() => socket);
  }
  /** A server whose accepted socket speaks the frame protocol to `handlers` (through `shared`
   *  when given); resolves with a client socket connected to it and the server's connection. */
  async function framedServer(shared: SharedReadBuffer | undefined, handlers: FramedConnectionHandlers<ClientMessage>) {
    let connection: FramedConnection<ClientMessage, RelayMessage> | undefined;
    const srv = net.createServer((socket) => {
      connection = new FramedConnection<ClientMessage, RelayMessage>(
        socket,
        {
          decode: (payload) => JSON.parse(payload.toString()) as ClientMessage,
          maxPayload: 1024 * 1024,
          scheduler: new FlushScheduler(),
          ...(shared ? { sharedReads: shared } : {}),
        },
        handlers,
      );
    });
    srv.listen(0, HOST);
    await once(srv, 'listening');
    cleanup.add('server', () => {
      connection?.destroy();
      srv.close();
    });
    const client = await connect((srv.address() as net.AddressInfo).port);
    return { client, connection: () => connection! };
  }

  it('delivers every byte, in order, from one buffer shared by all its sockets; writes go out as usual', async () => {
    const shared = new SharedReadBuffer();
    const { port, adopted, waitFor } = await server(shared);
    const data = [new Prng(1).bytes(3 * 1024 * 1024 + 17), new Prng(2).bytes(777_777)];
    const clients = await Promise.all(data.map(() => connect(port)));
    await waitFor(() => adopted.length === 2);
    clients.forEach((client, i) => client.write(data[i]));
    const total = (i: number) => adopted[i].chunks.reduce((n, c) => n + c.length, 0);
    await waitFor(() => total(0) + total(1) === data[0].length + data[1].length);
    const received = adopted.map((a) => Buffer.concat(a.chunks));
    assert.ok(
      (received[0].equals(data[0]) && received[1].equals(data[1])) || (received[0].equals(data[1]) && received[1].equals(data[0])),
      'each socket got exactly its own bytes',
    );
    const all = new Set([...adopted[0].buffers, ...adopted[1].buffers]);
    assert.equal(all.size, 1, 'every read of every socket landed in the same buffer');
    // Writing back works, and the end of the stream comes through as 'end' and 'close'.
    const replies = clients.map((client) => once(client, 'data'));
    for (const a of adopted) a.socket.write('ok');
    assert.deepEqual(
      (await Promise.all(replies)).map(([chunk]) => String(chunk)),
      ['ok', 'ok'],
    );
    for (const client of clients) client.end();
    await Promise.all(adopted.map((a) => once(a.socket, 'close')));
  });

  it('pause() stops the reads and resume() continues them, nothing lost', async () => {
    const { port, adopted, waitFor } = await server(new SharedReadBuffer());
    const client = await connect(port);
    await waitFor(() => adopted.length === 1);
    const entry = adopted[0];
    let paused = false;
    let readsWhilePaused = 0;
    entry.setReader((chunk) => {
      if (paused) readsWhilePaused++;
      entry.chunks.push(Buffer.from(chunk));
      if (entry.chunks.length === 1) {
        paused = true;
        entry.socket.pause();
      }
    });
    const data = new Prng(3).bytes(2 * 1024 * 1024);
    client.write(data);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(readsWhilePaused, 0, 'no read while paused');
    assert.ok(entry.chunks.length === 1);
    paused = false;
    const got = () => entry.chunks.reduce((n, c) => n + c.length, 0);
    entry.setReader((chunk) => {
      entry.chunks.push(Buffer.from(chunk));
      if (got() === data.length) entry.socket.emit('all-in');
    });
    const allIn = once(entry.socket, 'all-in');
    entry.socket.resume();
    await allIn;
    assert.ok(Buffer.concat(entry.chunks).equals(data));
  });

  it('the server still counts an adopted socket, and stops counting it when it closes', async () => {
    const { srv, port, adopted, waitFor } = await server(new SharedReadBuffer());
    const client = await connect(port);
    await waitFor(() => adopted.length === 1);
    const count = () => new Promise<number>((resolve, reject) => srv.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    assert.equal(await count(), 1);
    const closed = once(adopted[0].socket, 'close');
    client.end();
    await closed;
    assert.equal(await count(), 0);
  });

  it('leaves a socket without a handle as it is', () => {
    const socket = new net.Socket();
    assert.equal(
      new SharedReadBuffer().adopt(socket, () => assert.fail('never read')),
      false,
    );
    socket.destroy();
    // A runtime whose sockets lack the fields: not adopted either.
    assert.equal(
      new SharedReadBuffer().adopt(new EventEmitter() as net.Socket, () => undefined),
      false,
    );
  });

  it('a FramedConnection on an accepted socket reads through it: frames intact, slabs reused, no data events', async () => {
    const shared = new SharedReadBuffer();
    const messages: unknown[] = [];
    const payloads: Buffer[] = [];
    const done = new EventEmitter();
    const { client, connection } = await framedServer(shared, {
      onMessage: (message) => {
        messages.push(message);
        if (messages.length === 2) done.emit('done');
      },
      onDataParts: (frame) => {
        payloads.push(Buffer.concat(frame.parts));
        frame.release?.();
      },
      onFailure: (error) => assert.fail(error.message),
      onClose: () => undefined,
    });
    const files = [new Prng(5).bytes(200_000), new Prng(6).bytes(65_536), new Prng(7).bytes(10)];
    const finished = once(done, 'done');
    client.write(encodeFrame(FrameKind.Control, Buffer.from('{"t":"ping","n":1}')));
    for (const file of files) client.write(encodeFrame(FrameKind.Data, file, 3));
    client.write(encodeFrame(FrameKind.Control, Buffer.from('{"t":"ping","n":2}')));
    await finished;
    assert.deepEqual(messages, [
      { t: 'ping', n: 1 },
      { t: 'ping', n: 2 },
    ]);
    assert.equal(payloads.length, 3);
    payloads.forEach((payload, i) => assert.ok(payload.equals(files[i]), `file ${i}`));
    assert.equal(connection().socket.listenerCount('data'), 0, 'the socket was adopted: no data listener');
    assert.ok(shared.pool.freeCount > 0, 'released slabs are back in the pool');
  });

  for (const adopted of [true, false]) {
    it(`pauseReading from a handler holds the rest of the read until resumeReading: nothing meanwhile, all in order (${adopted ? 'the shared read buffer' : "Node's own reads"})`, async () => {
      const shared = adopted ? new SharedReadBuffer() : undefined;
      const total = 3000;
      const got: number[] = [];
      let paused = false;
      let pauses = 0;
      let duringPause = 0;
      const done = new EventEmitter();
      const server = await framedServer(shared, {
        onMessage: (message) => {
          if (paused) duringPause++;
          const n = (message as { n: number }).n;
          got.push(n);
          if (n % 250 === 249) {
            // Long enough for the rest of the writes to arrive, were the socket still read.
            paused = true;
            pauses++;
            server.connection().pauseReading();
            setTimeout(() => {
              paused = false;
              server.connection().resumeReading();
            }, 5);
          }
          if (got.length === total) done.emit('done');
        },
        onFailure: (error) => assert.fail(error.message),
        onClose: () => undefined,
      });
      const { client } = server;
      const frames = Array.from({ length: total }, (_, n) => encodeFrame(FrameKind.Control, Buffer.from(JSON.stringify({ t: 'ping', n }))));
      const finished = once(done, 'done');
      client.write(Buffer.concat(frames.slice(0, total / 2)));
      await new Promise((resolve) => setTimeout(resolve, 2));
      client.write(Buffer.concat(frames.slice(total / 2)));
      await finished;
      assert.deepEqual(
        got,
        Array.from({ length: total }, (_, n) => n),
        'every message, in order',
      );
      assert.equal(duringPause, 0, 'nothing was handed out while paused');
      assert.equal(pauses, total / 250);
      if (shared) assert.ok(shared.pool.freeCount >= 1, 'the slab holding a paused read came back');
    });
  }
});
