import { strict as assert } from 'node:assert';
import { composerExtras } from '../../../src/views/composerExtras';
import { FromWebview } from '../../../src/views/chatProtocol';
import type { Attachment } from '../../../src/net/protocol/richMessages';

/** The composer's send: its Urgent toggle reaches the message (MessageExtras.urgent), nothing else changes. */
describe('composerExtras', () => {
  const image: Attachment = { id: 'a1', kind: 'image', name: 'shot.png', size: 10, mime: 'image/png', sha256: 'f'.repeat(64) };

  it('carries urgency, mentions and images, and nothing for a plain message', () => {
    assert.equal(composerExtras(undefined, [], undefined), undefined);
    assert.deepEqual(composerExtras(undefined, [], true), { urgent: true });
    assert.deepEqual(composerExtras({ mentions: ['here'] }, [image], true), { mentions: ['here'], attachments: [image], urgent: true });
    assert.deepEqual(composerExtras({ mentions: ['here'] }, [], undefined), { mentions: ['here'] });
  });

  it('lets the webview ask for urgent only as `urgent: true`', () => {
    const parses = (message: unknown) => FromWebview.safeParse(message).success;
    assert.ok(parses({ type: 'send', conversationId: 'all', text: 'prod is down', urgent: true }));
    assert.ok(parses({ type: 'send', conversationId: 'all', text: 'fine' }));
    assert.ok(!parses({ type: 'send', conversationId: 'all', text: 'x', urgent: false }));
    assert.ok(!parses({ type: 'send', conversationId: 'all', text: 'x', urgent: 'yes' }));
  });
});
