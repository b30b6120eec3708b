import * as assert from 'node:assert/strict';
import { parseClusterOptions, parseClusterReplicas, parseClusterServers } from '../../../src/server/cluster/clusterOptions';

describe('cluster options (--cluster, --cluster-replicas)', () => {
  it('takes a comma-separated list of NATS URLs, with the default port when left out', () => {
    assert.deepEqual(parseClusterServers('nats://h1:4222,nats://h2:4223'), ['nats://h1:4222', 'nats://h2:4223']);
    assert.deepEqual(parseClusterServers(' nats://h1 , tls://10.0.0.2:7422 '), ['nats://h1:4222', 'tls://10.0.0.2:7422']);
    assert.deepEqual(parseClusterServers('h1:5000'), ['nats://h1:5000']);
    // The same server twice is one server.
    assert.deepEqual(parseClusterServers('nats://h1:4222,nats://h1'), ['nats://h1:4222']);
  });

  it('refuses what is not a NATS server list, saying which entry is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /needs NATS server URLs/],
      ['nats://h1:4222,,nats://h2', /empty entry/],
      ['http://h1:4222', /"http:\/\/h1:4222" must start with nats:\/\/ or tls:\/\//],
      ['nats://h1:99999', /"nats:\/\/h1:99999" is not a URL/],
      ['nats://h1:4222/stream', /has a path/],
      ['nats://user:pw@h1:4222', /carries credentials/],
    ];
    for (const [text, message] of cases) {
      const result = parseClusterServers(text);
      assert.ok(result instanceof Error, `${JSON.stringify(text)} should be refused`);
      assert.match(result.message, message);
    }
  });

  it('takes 1, 3 or 5 stream copies and refuses anything else', () => {
    assert.equal(parseClusterReplicas('1'), 1);
    assert.equal(parseClusterReplicas('3'), 3);
    assert.equal(parseClusterReplicas('5'), 5);
    for (const bad of ['0', '2', '4', '7', 'three', '-1', '1.5', '']) {
      const result = parseClusterReplicas(bad);
      assert.ok(result instanceof Error, `${JSON.stringify(bad)} should be refused`);
      assert.match(result.message, /--cluster-replicas must be 1 \(a laptop cluster\), 3 or 5/);
    }
  });

  it('defaults to one copy (a laptop cluster) and reports the first problem', () => {
    assert.deepEqual(parseClusterOptions('nats://127.0.0.1:4222'), { servers: ['nats://127.0.0.1:4222'], replicas: 1 });
    assert.deepEqual(parseClusterOptions('nats://a,nats://b,nats://c', '3'), { servers: ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'], replicas: 3 });
    const bad = parseClusterOptions('nats://a', '2');
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /--cluster-replicas/);
  });
});
