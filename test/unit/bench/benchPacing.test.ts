import { strict as assert } from 'node:assert';
import { makeText } from '../../../bench/lib/common';
import { LatencyRecorder, pace, schedule, scheduledIn } from '../../../bench/lib/pacing';
import type { Sender } from '../../../bench/lib/systemBase';

/**
 * W2 counts a message as lost when fewer arrive than its schedule sent inside the window. The
 * count must be the recorder's own: at a rate whose interval is not a whole microsecond (W2's
 * "half of relay peak", 73,200 msgs/s), one message is due at the very edge of the window, and
 * counting it by its fractional due time made "lost 1" with nothing lost (at these start times,
 * every time).
 */
describe('bench pacing', () => {
  const realNow = performance.now;
  // A load generator 8 s old, its clock standing still: the whole schedule is due at once.
  before(() => (performance.now = () => 8000));
  after(() => (performance.now = realNow));

  async function sentAndCounted(rate: number, startUs: number): Promise<{ recorded: number; expected: number }> {
    const rec = new LatencyRecorder();
    const sender: Sender = {
      // What every system carries: the stamp written into the text, read back on arrival.
      send: (stampUs) => {
        const text = makeText(stampUs);
        rec.on(text, 0, text.length);
      },
      backlog: () => 0,
      isOpen: () => true,
      close: () => undefined,
    };
    const streams = schedule(
      Array.from({ length: 100 }, () => sender),
      rate,
      startUs,
    );
    rec.fromUs = startUs + 1_000_000;
    rec.toUs = rec.fromUs + 4_000_000;
    await pace(streams, rec.toUs);
    return { recorded: rec.hist.totalCount, expected: scheduledIn(streams, rec.fromUs, rec.toUs) };
  }

  it('expects exactly what the recorder takes in, at rates whose interval has a fraction', async function () {
    this.timeout(60_000);
    for (const [rate, startUs] of [
      [73_200, 2_000_000],
      [73_200, 2_007_919],
      [76_000, 2_000_000],
      [70_300, 2_015_838],
      [50_000, 2_000_000],
    ]) {
      const { recorded, expected } = await sentAndCounted(rate, startUs);
      assert.equal(recorded, rate * 4, `${rate} msgs/s from ${startUs} µs: four seconds' worth in the window`);
      assert.equal(expected, recorded, `${rate} msgs/s from ${startUs} µs: expected as recorded`);
    }
  });
});
