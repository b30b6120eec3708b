import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageInfo } from '../../../src/model/attachmentImages';
import { AttachmentStore } from '../../../src/model/attachmentStore';
import { tempDir, useCleanup } from '../helpers/loopback';
import { makePng } from '../helpers/pngImage';

/**
 * The attachment store on a real disk: content-addressed (the same bytes kept once, under a
 * safe name), a received file taken in only when its SHA-256 is the one asked for, and the
 * least recently used files dropped past the bound.
 */
describe('AttachmentStore', function () {
  const cleanup = useCleanup();
  const sha = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

  it('keeps bytes under their hash and a safe name, once, and finds them by hash or id prefix', async () => {
    const root = tempDir(cleanup);
    const store = new AttachmentStore(root);
    const png = makePng(30, 20, 1);
    const kept = await store.put(png, '../../etc/shot:1.png');
    assert.equal(kept.sha256, sha(png));
    assert.equal(path.dirname(kept.path), path.join(root, kept.sha256), 'inside the store, in its own folder');
    assert.equal(path.basename(kept.path), 'shot_1.png');
    assert.deepEqual(fs.readFileSync(kept.path), png);
    const again = await store.put(png, 'other name.png');
    assert.equal(again.path, kept.path, 'the same bytes are kept once');
    assert.equal(fs.readdirSync(root).filter((n) => !n.startsWith('.')).length, 1);
    assert.deepEqual(await store.get(kept.sha256), kept);
    assert.deepEqual(await store.findByPrefix(kept.sha256.slice(0, 16)), kept);
    assert.equal(await store.get('0'.repeat(64)), undefined);
    assert.equal(await store.get('../x'), undefined, 'only a hash names a file');
    assert.equal(await store.findByPrefix('zz'), undefined);
    assert.deepEqual(imageInfo(png), { mime: 'image/png', width: 30, height: 20 });
  });

  it('takes a received file in only when its SHA-256 is the one the message names', async () => {
    const store = new AttachmentStore(tempDir(cleanup));
    const wanted = makePng(8, 8, 2);
    const good = await store.staging();
    fs.writeFileSync(path.join(good, 'a.png'), wanted);
    const adopted = await store.adopt(good, sha(wanted));
    assert.deepEqual(fs.readFileSync(adopted.path), wanted);
    assert.ok(!fs.existsSync(good), 'the staging folder is gone');

    const bad = await store.staging();
    fs.writeFileSync(path.join(bad, 'b.png'), makePng(8, 8, 3));
    const expected = sha(makePng(8, 8, 4));
    await assert.rejects(store.adopt(bad, expected), /SHA-256 differs/);
    assert.ok(!fs.existsSync(bad), 'what arrived is deleted');
    assert.equal(await store.get(expected), undefined, 'and nothing is kept under the hash');

    const empty = await store.staging();
    await assert.rejects(store.adopt(empty, expected), /nothing arrived/);
  });

  it('drops the least recently used files past its bound, never the one just kept', async () => {
    const root = tempDir(cleanup);
    const images = [1, 2, 3].map((seed) => makePng(64, 64, seed));
    const size = Math.max(...images.map((b) => b.length));
    const store = new AttachmentStore(root, size * 2 + 10);
    const first = await store.put(images[0]!, 'one.png');
    const second = await store.put(images[1]!, 'two.png');
    // The first was used after the second: the second is the least recently used.
    fs.utimesSync(path.join(root, second.sha256), new Date(1_000_000), new Date(1_000_000));
    fs.utimesSync(path.join(root, first.sha256), new Date(2_000_000), new Date(2_000_000));
    const third = await store.put(images[2]!, 'three.png');
    assert.ok(await store.get(third.sha256), 'the new one stays');
    assert.ok(await store.get(first.sha256), 'the recently used one stays');
    assert.equal(await store.get(second.sha256), undefined, 'the least recently used went');

    const tiny = new AttachmentStore(tempDir(cleanup), 1);
    const only = await tiny.put(images[0]!, 'big.png');
    assert.ok(await tiny.get(only.sha256), 'a file larger than the bound is still kept until the next one comes');
  });
});
