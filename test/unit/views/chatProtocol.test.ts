import { strict as assert } from 'node:assert';
import { FromWebview } from '../../../src/views/chatProtocol';

describe('chatProtocol: what the webview may send', () => {
  const ok = (message: unknown) => assert.ok(FromWebview.safeParse(message).success, JSON.stringify(message));
  const refused = (message: unknown) => assert.ok(!FromWebview.safeParse(message).success, JSON.stringify(message));

  it('takes the new requests in their exact shapes', () => {
    ok({ type: 'load-older', conversationId: 'all' });
    ok({ type: 'load-older', conversationId: 'all', beforeId: 'ep-5' });
    ok({ type: 'load-newer', conversationId: 'channel:deploys', afterId: 'ep-9' });
    ok({ type: 'open-thread', conversationId: 'all', messageId: 'ep-1' });
    ok({ type: 'open-thread', conversationId: 'all', messageId: 'ep-1', beforeId: 'ep-7' });
    ok({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: 'yes' });
    ok({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: 'rolling back', urgent: true });
    ok({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: '', attachments: ['img1'] });
    ok({ type: 'edit', conversationId: 'all', messageId: 'ep-1', text: 'fixed' });
    ok({ type: 'delete', conversationId: 'all', messageId: 'ep-1' });
    ok({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: '👍', on: true });
    ok({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: ':ship-it:', on: false });
    ok({ type: 'search', query: 'from:bob in:#deploys "rollback plan"' });
    ok({ type: 'search', query: 'deploy', before: 1234 });
    ok({ type: 'jump', conversationId: 'peer:abc', messageId: 'ep-1' });
    ok({ type: 'copy-link', conversationId: 'channel:deploys', messageId: 'ep-1' });
    ok({ type: 'copy-link', conversationId: 'channel:deploys', messageId: 'ep-7', threadId: 'ep-1' });
  });

  it('refuses unknown fields, missing ones and anything out of bounds', () => {
    refused({ type: 'delete', conversationId: 'all', messageId: 'ep-1', everyone: true });
    refused({ type: 'ready', extra: 1 });
    refused({ type: 'reply', conversationId: 'all', text: 'no parent' });
    refused({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: 'x', attachments: [] });
    refused({ type: 'edit', conversationId: 'all', messageId: 'ep-1', text: '' });
    refused({ type: 'edit', conversationId: 'all', messageId: 'x'.repeat(201), text: 'long id' });
    refused({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: 'two words', on: true });
    refused({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: '\u0007', on: true });
    refused({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: '👍'.repeat(70), on: true });
    refused({ type: 'react', conversationId: 'all', messageId: 'ep-1', emoji: '👍', on: 'yes' });
    refused({ type: 'search', query: '   ' });
    refused({ type: 'search', query: 'q'.repeat(501) });
    refused({ type: 'search', query: 'deploy', before: -1 });
    refused({ type: 'search', query: 'deploy', before: 1.5 });
    refused({ type: 'load-newer', conversationId: 'all' });
    refused({ type: 'copy-link', conversationId: 'all' });
    refused({ type: 'copy-link', conversationId: 'all', messageId: 'ep-1', link: 'vscode://elsewhere' });
    refused({ type: 'copy-link', conversationId: 'all', messageId: 'ep-1', threadId: 'x'.repeat(201) });
    refused({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: 'x'.repeat(256 * 1024 + 1) });
  });

  it('trims a search query', () => {
    const parsed = FromWebview.parse({ type: 'search', query: '  deploy  ' });
    assert.deepStrictEqual(parsed, { type: 'search', query: 'deploy' });
  });
});
