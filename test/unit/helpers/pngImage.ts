import * as zlib from 'node:zlib';

/**
 * A real PNG (8-bit RGBA, no filter), made here so tests need no image files: each pixel's
 * colour comes from its position and `seed`, so different seeds give different bytes. `noisy`:
 * random pixels (a photo's worth of detail, which compresses badly).
 */
export function makePng(width: number, height: number, seed = 0, noisy = false): Buffer {
  const rows: Buffer[] = [];
  let state = (seed * 2654435761 + 1) >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4);
    for (let x = 0; x < width; x++) {
      row[1 + x * 4] = noisy ? random() : (x * 7 + seed) & 0xff;
      row[2 + x * 4] = noisy ? random() : (y * 5 + seed * 3) & 0xff;
      row[3 + x * 4] = noisy ? random() : (x + y + seed * 11) & 0xff;
      row[4 + x * 4] = 0xff;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
