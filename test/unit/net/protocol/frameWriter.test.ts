import { strict as assert } from 'node:assert';
import { FrameWriter, FlushScheduler, LAZY_FLUSH_MS, WritableSink } from '../../../../src/net/protocol/frameWriter';

/** A sink that records writes and holds their callbacks until told to complete them. */
class Sink implements WritableSink {
  writes: { chunk: Buffer; cb?: (err?: Error | null) => void; corked: boolean }[] = [];
  corked = 0;
  writableLength = 0;
  destroyed = false;
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean {
    this.writes.push({ chunk, cb, corked: this.corked > 0 });
    return true;
  }
  cork(): void {
    this.corked++;
  }
  uncork(): void {
    this.corked--;
  }
  once(): unknown {
    return this;
  }
}

describe('FrameWriter: the data written callback', () => {
  it('is called by the write of the frame’s last piece, not before', async () => {
    const sink = new Sink();
    const writer = new FrameWriter(sink, new FlushScheduler());
    let written = 0;
    writer.writeData(Buffer.from('h'), [Buffer.from('a'), Buffer.from('b')], () => written++);
    writer.flush();
    assert.deepEqual(
      sink.writes.map((w) => String(w.chunk)),
      ['h', 'a', 'b'],
    );
    assert.deepEqual(
      sink.writes.map((w) => w.cb !== undefined),
      [false, false, true],
    );
    assert.equal(written, 0, 'not before the socket calls back');
    sink.writes[2].cb!();
    assert.equal(written, 1);
  });

  it('is called for frames dropped unwritten (connection gone), and at once on a destroyed socket', () => {
    const sink = new Sink();
    const writer = new FrameWriter(sink, new FlushScheduler());
    let written = 0;
    writer.writeData(Buffer.from('h'), Buffer.from('x'), () => written++);
    sink.destroyed = true;
    writer.flush();
    assert.equal(written, 1, 'queued frame dropped with the connection');
    writer.writeData(Buffer.from('h'), Buffer.from('y'), () => written++);
    assert.equal(written, 2, 'nothing is queued on a destroyed socket');
    assert.equal(sink.writes.length, 0);
  });
});

describe('FrameWriter: a control frame in pieces', () => {
  it('small: joined with the other control frames into one write', () => {
    const sink = new Sink();
    const writer = new FrameWriter(sink, new FlushScheduler());
    writer.write(Buffer.from('a'));
    writer.writeParts([Buffer.from('b'), Buffer.from('cd'), Buffer.from('e')]);
    writer.write(Buffer.from('f'));
    assert.equal(writer.queuedBytes, 6);
    writer.flush();
    assert.deepEqual(
      sink.writes.map((w) => String(w.chunk)),
      ['abcdef'],
    );
  });

  it('big: every piece handed to the socket as it is (the same buffers, none copied), in order, in one corked write', () => {
    const sink = new Sink();
    const writer = new FrameWriter(sink, new FlushScheduler());
    const shared = Buffer.alloc(16 * 1024, 'x');
    const parts = [Buffer.from('head'), shared, Buffer.from('tail')];
    writer.write(Buffer.from('before'));
    writer.writeParts(parts);
    writer.flush();
    assert.equal(sink.writes.length, 4);
    assert.equal(String(sink.writes[0].chunk), 'before');
    for (let i = 0; i < parts.length; i++) assert.equal(sink.writes[i + 1].chunk, parts[i], `piece ${i} is the buffer given`);
    assert.ok(
      sink.writes.every((w) => w.corked),
      'all inside one cork',
    );
    assert.equal(writer.queuedBytes, 0);
  });

  it('nothing is queued on a destroyed socket', () => {
    const sink = new Sink();
    const writer = new FrameWriter(sink, new FlushScheduler());
    sink.destroyed = true;
    writer.writeParts([Buffer.from('x')]);
    assert.equal(writer.queuedBytes, 0);
  });
});

describe('FlushScheduler', () => {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const text = (sink: Sink) => sink.writes.map((w) => String(w.chunk));
  /** Writers on their own sinks sharing one scheduler, and how many times it ran `beforeFlush`. */
  function writersOn(count: number) {
    const runs = { before: 0 };
    const scheduler = new FlushScheduler(() => runs.before++);
    const sinks = Array.from({ length: count }, () => new Sink());
    return { runs, sinks, writers: sinks.map((sink) => new FrameWriter(sink, scheduler)) };
  }

  it('flushes every marked writer once a turn, in the order first marked, with one beforeFlush', async () => {
    const {
      runs,
      sinks: [a, b],
      writers: [wa, wb],
    } = writersOn(2);
    wb.write(Buffer.from('b1'));
    wa.write(Buffer.from('a1'));
    wb.write(Buffer.from('b2'));
    await turn();
    assert.deepEqual([text(a), text(b), runs.before], [['a1'], ['b1b2'], 1], 'one write each: marked twice, flushed once');
    wa.write(Buffer.from('a2'));
    await turn();
    assert.deepEqual([text(a), text(b), runs.before], [['a1', 'a2'], ['b1b2'], 2], 'marked again in a later turn');
  });

  it('writes lazy frames within the lazy delay, or at once with a frame that cannot wait, never twice', async () => {
    const {
      runs,
      sinks: [a, b],
      writers: [wa, wb],
    } = writersOn(2);
    wa.writeLazy(Buffer.from('ack1'));
    wb.writeLazy(Buffer.from('ack2'));
    wa.write(Buffer.from('msg')); // takes a's ack along in this turn
    await turn();
    assert.deepEqual([text(a), text(b), runs.before], [['ack1msg'], [], 1]);
    wa.writeLazy(Buffer.from('ack3')); // lazy again after its flush: listed twice, written once
    await sleep(LAZY_FLUSH_MS + 20);
    assert.deepEqual([text(a), text(b), runs.before], [['ack1msg', 'ack3'], ['ack2'], 2]);
    await sleep(LAZY_FLUSH_MS + 20);
    assert.equal(runs.before, 2, 'no lazy turn left with nothing to write');
  });

  it('has no lazy turn for a writer whose lazy frames went out with a turn', async () => {
    const {
      runs,
      sinks: [a],
      writers: [wa],
    } = writersOn(1);
    wa.writeLazy(Buffer.from('ack'));
    wa.write(Buffer.from('msg'));
    await turn();
    await sleep(LAZY_FLUSH_MS + 20);
    assert.deepEqual([text(a), runs.before], [['ackmsg'], 1]);
  });
});
