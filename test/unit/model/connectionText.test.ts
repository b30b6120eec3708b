import { strict as assert } from 'node:assert';
import { describeConnection } from '../../../src/model/connectionText';

describe('connectionText', function () {
  it('is offline when idle or closed', function () {
    for (const state of ['idle', 'closed'] as const) {
      const t = describeConnection(state, { server: 'host:9999' });
      assert.equal(t.statusBar.text, '$(debug-disconnect) Team Messenger: offline');
      assert.deepEqual(t.view, { state: 'disconnected', text: 'Not connected (relay host:9999)' });
      assert.equal(t.statusBar.tooltip, 'Team Messenger: not connected to host:9999\nClick to connect.');
    }
    const none = describeConnection('idle');
    assert.equal(none.view.text, 'Not connected: no relay is set');
    assert.equal(none.statusBar.tooltip, 'Team Messenger: no relay is set\nClick to connect.');
  });

  it('says why it is offline', function () {
    const t = describeConnection('closed', { server: 'host:9999', error: 'the relay requires\nthe team secret' });
    assert.equal(t.view.text, 'Not connected (relay host:9999) · the relay requires the team secret');
    assert.match(t.statusBar.tooltip, /^Last error: the relay requires the team secret$/m);
  });

  it('shows connecting and reconnecting with a spinner', function () {
    const connecting = describeConnection('connecting', { server: 'host:9999' });
    assert.equal(connecting.statusBar.text, '$(sync~spin) Connecting to host:9999…');
    assert.deepEqual(connecting.view, { state: 'connecting', text: 'Connecting to host:9999…' });

    const again = describeConnection('reconnecting', { server: '[::1]:9999', error: 'connection to the relay was lost', pending: 2 });
    assert.equal(again.statusBar.text, '$(sync~spin) Reconnecting to [::1]:9999… · 2 waiting');
    assert.deepEqual(again.view, {
      state: 'reconnecting',
      text: 'Reconnecting to [::1]:9999… (connection to the relay was lost) · 2 messages waiting to be sent',
    });
    assert.match(again.statusBar.tooltip, /^Last error: connection to the relay was lost$/m);
    assert.match(again.statusBar.tooltip, /^2 messages waiting to be sent$/m);
  });

  it('shows the relay and who is online when connected', function () {
    const t = describeConnection('connected', { server: 'host:9999', online: 3 });
    assert.equal(t.statusBar.text, '$(comment-discussion) host:9999 · 3 online');
    assert.deepEqual(t.view, { state: 'connected', text: 'Connected to host:9999 · 3 online' });
    assert.equal(t.statusBar.tooltip, 'Team Messenger: connected to host:9999\n3 people online\nClick to open the chat.');
    assert.match(describeConnection('connected', { server: 'h:1', online: 1 }).statusBar.tooltip, /^1 person online$/m);
    assert.equal(describeConnection('connected', { server: 'h:1' }).statusBar.text, '$(comment-discussion) h:1 · 0 online');
  });

  it('does not show an old error once connected', function () {
    const t = describeConnection('connected', { server: 'host:9999', online: 1, error: 'lost' });
    assert.doesNotMatch(t.view.text, /lost/);
    assert.doesNotMatch(t.statusBar.tooltip, /lost/);
  });

  it('shows hosting', function () {
    const t = describeConnection('hosting', { server: '127.0.0.1:9999', hosting: { port: 9999, addresses: ['192.168.1.4:9999', 'pc.local:9999'] }, online: 3 });
    assert.equal(t.statusBar.text, '$(broadcast) Hosting on :9999 · 3 online');
    assert.deepEqual(t.view, { state: 'connected', text: 'Hosting on port 9999 · 3 online' });
    assert.match(t.statusBar.tooltip, /^Teammates connect to: 192\.168\.1\.4:9999, pc\.local:9999$/m);
    // The same from 'connected' plus hosting details; the port from the server without them.
    assert.equal(describeConnection('connected', { server: 'x:1', hosting: { port: 9999 }, online: 3 }).statusBar.text, t.statusBar.text);
    assert.equal(describeConnection('hosting', { server: 'localhost:8123' }).statusBar.text, '$(broadcast) Hosting on :8123 · 0 online');
    const idle = describeConnection('idle', { hosting: { port: 9999 } });
    assert.equal(idle.statusBar.text, '$(broadcast) Hosting on :9999 · not connected');
    assert.equal(idle.view.state, 'disconnected');
  });

  it('adds unread and waiting counts to the status bar', function () {
    const t = describeConnection('connected', { server: 'host:9999', online: 2, unread: 5, pending: 1 });
    assert.equal(t.statusBar.text, '$(comment-discussion) host:9999 · 2 online · 5 unread · 1 waiting');
    assert.match(t.statusBar.tooltip, /^5 unread messages$/m);
    assert.match(t.statusBar.tooltip, /^1 message waiting to be sent$/m);
    assert.equal(t.view.text, 'Connected to host:9999 · 2 online', 'the chat shows its own unread counts');
    const odd = describeConnection('connected', { server: 'h:1', online: -4, unread: NaN, pending: Infinity });
    assert.equal(odd.statusBar.text, '$(comment-discussion) h:1 · 0 online');
  });

  it('does not let a server name inject icons, and shortens long errors', function () {
    const t = describeConnection('connecting', { server: '$(zap)evil:1' });
    assert.equal(t.statusBar.text, '$(sync~spin) Connecting to $\u2060(zap)evil:1…', 'a word joiner breaks the icon syntax');
    const linked = describeConnection('closed', { server: 'h:1', error: 'see [docs](command:evil)' });
    assert.match(linked.statusBar.tooltip, /^Last error: see \[docs\]\u2060\(command\u2060:evil\)$/m);
    const long = describeConnection('closed', { server: 'h:1', error: 'e'.repeat(1000) });
    assert.ok(long.view.text.length < 260, `${long.view.text.length}`);
    assert.ok(long.view.text.endsWith('…'));
  });
});
