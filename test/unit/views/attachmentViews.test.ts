import { strict as assert } from 'node:assert';
import { attachmentViews, thumbnailUri } from '../../../src/views/attachmentViews';
import { recipients } from '../../../src/model/attachmentRecipients';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { makePng } from '../helpers/pngImage';

/**
 * What the webview is given of a message's attachments: sizes in words, and a thumbnail only as
 * a data: URI of a PNG, JPEG or WebP whose bytes say so and that is small; and whom a dropped
 * file is offered to.
 */
describe('attachment views', function () {
  const thumb = makePng(32, 20).toString('base64');
  const base: Attachment = { id: 'a1', kind: 'image', name: 'shot.png', size: 123_456, mime: 'image/png', sha256: 'ab'.repeat(32), width: 3200, height: 2000 };

  it('passes on a real small thumbnail as a data: URI, with the size in words', () => {
    const [view] = attachmentViews([{ ...base, thumb, thumbMime: 'image/png' }])!;
    assert.deepEqual(view, {
      id: 'a1',
      kind: 'image',
      name: 'shot.png',
      size: '121 KB',
      mime: 'image/png',
      width: 3200,
      height: 2000,
      thumb: `data:image/png;base64,${thumb}`,
    });
    assert.equal(attachmentViews([]), undefined);
    assert.equal(attachmentViews(undefined), undefined);
  });

  it('drops a thumbnail that is not what it claims, is huge, or is of a type the page must not decode', () => {
    const huge = makePng(1, 1);
    huge.writeUInt32BE(50_000, 16);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');
    const cases: [string | undefined, string | undefined][] = [
      [thumb, 'image/jpeg'],
      [huge.toString('base64'), 'image/png'],
      [svg, 'image/png'],
      [svg, 'image/svg+xml'],
      [thumb, 'image/gif'],
      ['not base64!', 'image/png'],
      [thumb, undefined],
      [undefined, 'image/png'],
    ];
    for (const [data, mime] of cases) assert.equal(thumbnailUri(data, mime), undefined, `${mime}: ${data?.slice(0, 20)}`);
    const [file] = attachmentViews([{ ...base, kind: 'file', thumb, thumbMime: 'image/png' }])!;
    assert.equal(file!.thumb, undefined, 'a file has no thumbnail');
  });

  it("offers a dropped file to the people of a conversation, or a channel's members online now", () => {
    const self = 'S'.repeat(22);
    const [bob, carol, dave] = ['B', 'C', 'D'].map((c) => c.repeat(22));
    const online = [self, bob, carol, dave].map((clientId) => ({ clientId }));
    const model = {
      selfId: self,
      roster: () => ({ online }) as never,
      channels: () => [{ conversationId: 'channel:ops', members: [self, carol] }] as never,
    };
    assert.deepEqual(recipients(model, `peer:${bob}`), [bob]);
    assert.deepEqual(recipients(model, `group:${bob},${carol}`), [bob, carol]);
    assert.deepEqual(recipients(model, 'all'), [bob, carol, dave]);
    assert.deepEqual(recipients(model, 'channel:ops'), [carol]);
    assert.deepEqual(recipients(model, `peer:${self}`), [], 'notes to self go to nobody');
  });
});
