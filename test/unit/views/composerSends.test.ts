import { strict as assert } from 'node:assert';
import { ComposerSends } from '../../../src/views/composerSends';
import type { TextLink } from '../../../src/net/protocol/codeMessages';

const link = (written: string): TextLink => ({ written, line: 1, path: written });

describe('composer sends with typed path:line links (order kept while links are found)', () => {
  it('sends plain text at once, and a message after one still finding links only after it', async () => {
    const finds: { text: string; resolve: (links: TextLink[]) => void }[] = [];
    const sends = new ComposerSends((text) => new Promise((resolve) => finds.push({ text, resolve })));
    const sent: [string, string[]][] = [];
    const send = (text: string) => sends.send(text, (links) => sent.push([text, links.map((l) => l.written)]));

    send('hello');
    assert.deepEqual(sent, [['hello', []]], 'no path:line, nothing waiting: sent at once, no lookup');
    send('see a.ts:1');
    send('and b.ts:2');
    send('thanks');
    assert.deepEqual(sent.length, 1, 'the rest wait for the first lookup');
    finds[1]!.resolve([link('b.ts')]); // the later lookup finishes first
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent.length, 1, 'still in order');
    finds[0]!.resolve([link('a.ts')]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, [
      ['hello', []],
      ['see a.ts:1', ['a.ts']],
      ['and b.ts:2', ['b.ts']],
      ['thanks', []],
    ]);
    assert.deepEqual(
      finds.map((f) => f.text),
      ['see a.ts:1', 'and b.ts:2'],
    );
    send('after');
    assert.equal(sent.length, 5, 'nothing waiting any more: at once again');
  });

  it('sends the message without links when finding them fails', async () => {
    const sends = new ComposerSends(() => Promise.reject(new Error('git went away')));
    const sent: TextLink[][] = [];
    sends.send('see a.ts:1', (links) => sent.push(links));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, [[]]);
  });
});
