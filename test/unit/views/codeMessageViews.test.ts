import { strict as assert } from 'node:assert';
import type { PatchRef } from '../../../src/net/protocol/codeMessages';
import { patchView } from '../../../src/views/codeMessageViews';
import { messageView } from '../../../src/views/chatViews';
import type { ConversationMessage } from '../../../src/model/conversationTypes';

const PATCH_TEXT = ['diff --git a/src/app.ts b/src/app.ts', '--- a/src/app.ts', '+++ b/src/app.ts', '@@ -1,2 +1,2 @@', ' one', '-two', '+zwei', ''].join('\n');
const PATCH: PatchRef = { text: PATCH_TEXT, files: [{ path: 'src/app.ts', change: 'modified', added: 1, removed: 1 }], repositories: ['github.com/team/app'] };

describe('patch messages in the chat (codeMessageViews)', () => {
  it('summarises the files and gives the diff rows with line numbers', () => {
    const view = patchView(PATCH);
    assert.equal(view.summary, '1 file changed, +1 −1');
    assert.equal(view.repository, 'github.com/team/app');
    assert.deepEqual(view.files[0]!.rows, [
      { kind: 'hunk', text: '@@ -1,2 +1,2 @@' },
      { kind: 'context', oldLine: 1, newLine: 1, text: 'one' },
      { kind: 'remove', oldLine: 2, text: 'two' },
      { kind: 'add', newLine: 2, text: 'zwei' },
    ]);
    assert.equal(patchView(PATCH), view, 'parsed once per patch');
  });

  it('bounds what the webview gets: rows, files and row length', () => {
    const files = Array.from({ length: 60 }, (_, f) =>
      [
        `diff --git a/f${f}.txt b/f${f}.txt`,
        `--- a/f${f}.txt`,
        `+++ b/f${f}.txt`,
        '@@ -1,20 +1,20 @@',
        ...Array.from({ length: 20 }, (_, i) => `-old ${i}${'x'.repeat(f === 0 ? 2000 : 0)}`),
        ...Array.from({ length: 20 }, (_, i) => `+new ${i}`),
      ].join('\n'),
    );
    const text = files.join('\n') + '\n';
    const view = patchView({ text, files: [{ path: 'f0.txt', change: 'modified', added: 20, removed: 20 }] });
    assert.equal(view.summary, '60 files changed, +1200 −1200');
    assert.equal(view.files.length, 50);
    assert.equal(view.moreFiles, 10);
    assert.equal(
      view.files.reduce((n, f) => n + f.rows.length, 0),
      400,
    );
    assert.ok(view.files.every((f) => f.rows.every((r) => r.text.length <= 501)));
    assert.equal(view.files[9]!.rows.length + view.files[9]!.moreRows, 41);
  });

  it('says why a patch cannot be shown (and then it cannot be previewed or applied)', () => {
    const view = patchView({ ...PATCH, text: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n one\n' });
    assert.match(view.problem ?? '', /cannot be read/);
    assert.deepEqual(view.files, []);
  });

  it('a message carries its patch view (not the patch text); a deleted one none', () => {
    const message: ConversationMessage = {
      id: 'e-1',
      from: 'a'.repeat(43),
      fromName: 'bob',
      text: 'my changes',
      ts: 1,
      own: false,
      state: 'delivered',
      patch: PATCH,
    };
    const model = { selfId: 'b'.repeat(43), nameOf: () => 'bob' };
    const view = messageView(message, model);
    assert.equal(view.patch?.summary, '1 file changed, +1 −1');
    assert.ok(!JSON.stringify(view).includes('diff --git'));
    assert.equal(messageView({ ...message, deleted: true }, model).patch, undefined);
  });
});
