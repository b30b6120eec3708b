import { strict as assert } from 'node:assert';
import { checkImage, imageInfo, MAX_IMAGE_BYTES } from '../../../src/model/attachmentImages';
import { makePng } from '../helpers/pngImage';

/** Image type and size from the bytes' own header, whatever a name or a claim says. */
describe('imageInfo', function () {
  it('reads PNG, GIF, WebP (lossy, lossless, extended) and JPEG headers', () => {
    assert.deepEqual(imageInfo(makePng(300, 7)), { mime: 'image/png', width: 300, height: 7 });
    const gif = Buffer.from('GIF89a\x2c\x01\x10\x00\x00\x00\x00', 'latin1');
    assert.deepEqual(imageInfo(gif), { mime: 'image/gif', width: 300, height: 16 });
    // RIFF header, chunk name, chunk size (4), then the chunk: VP8 has a 3-byte frame tag and a start code before the size.
    const riff = (chunk: string, body: number[]) =>
      Buffer.from([...Buffer.from('RIFF\0\0\0\0WEBP'), ...Buffer.from(chunk), ...body, ...new Array<number>(16).fill(0)]);
    const lossy = riff('VP8 ', [0, 0, 0, 0, 0, 0, 0, 0x9d, 0x01, 0x2a, 0x2c, 0x01, 0x10, 0x00]);
    assert.deepEqual(imageInfo(lossy), { mime: 'image/webp', width: 300, height: 16 });
    // VP8L: 14 bits width-1, 14 bits height-1 after the 0x2f signature.
    const bits = 299 | (15 << 14);
    const lossless = riff('VP8L', [0, 0, 0, 0, 0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >> 24) & 0xff, 0]);
    assert.deepEqual(imageInfo(lossless), { mime: 'image/webp', width: 300, height: 16 });
    const extended = riff('VP8X', [0, 0, 0, 0, 0, 0, 0, 0, 299 & 0xff, 299 >> 8, 0, 15, 0, 0]);
    assert.deepEqual(imageInfo(extended), { mime: 'image/webp', width: 300, height: 16 });
    // SOI, an APP0 segment, then SOF0 with height 16 and width 300.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x01, 0x2c, 0x03, 0, 0, 0, 0]);
    assert.deepEqual(imageInfo(jpeg), { mime: 'image/jpeg', width: 300, height: 16 });
  });

  it('refuses what is not one of those images, and zero sizes', () => {
    assert.equal(imageInfo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
    assert.equal(imageInfo(Buffer.from('%PDF-1.7 ...')), undefined);
    assert.equal(imageInfo(makePng(1, 1).subarray(0, 20)), undefined, 'cut short');
    const zero = makePng(1, 1);
    zero.writeUInt32BE(0, 16);
    assert.equal(imageInfo(zero), undefined);
    assert.equal(imageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0, 0, 0, 0, 0])), undefined, 'a JPEG segment shorter than its header');
  });
});

describe('checkImage', function () {
  it('takes a real image and says why it refuses anything else', () => {
    assert.deepEqual(checkImage(makePng(10, 12), 'a.png'), { mime: 'image/png', width: 10, height: 12 });
    const svg = checkImage(Buffer.from('<svg/>'), 'logo.svg');
    assert.ok('error' in svg);
    assert.match(svg.error, /^logo\.svg is not a PNG, JPEG, GIF or WebP image.*send it as a file/);
    const huge = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    makePng(10, 10).copy(huge);
    const big = checkImage(huge, 'huge.png');
    assert.ok('error' in big);
    assert.match(big.error, /^huge\.png is over 20 MB, too large for a message/);
  });
});
