import * as assert from 'assert';
import { chatHtml, contentSecurityPolicy, escapeAttr, makeNonce } from '../../../src/views/chatHtml';

const base = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'AbC123+/xyz=',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/chat.css',
  codiconsUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicons/codicon.css',
};

/** Every start tag in the document, with its raw attribute text. */
function tags(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'gi'))].map((m) => m[0]);
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m?.[1];
}

function unescape(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('chatHtml', () => {
  it('carries exactly the content security policy', () => {
    const html = chatHtml(base);
    const metas = tags(html, 'meta').filter((t) => /http-equiv="Content-Security-Policy"/i.test(t));
    assert.strictEqual(metas.length, 1);
    const policy = unescape(attr(metas[0]!, 'content')!);
    assert.strictEqual(
      policy,
      `default-src 'none'; style-src ${base.cspSource}; font-src ${base.cspSource}; ` + `img-src ${base.cspSource} data:; script-src 'nonce-${base.nonce}';`,
    );
    assert.strictEqual(policy, contentSecurityPolicy(base.cspSource, base.nonce));
    assert.ok(!policy.includes('unsafe-inline'));
    assert.ok(!policy.includes('unsafe-eval'));
  });

  it('loads the script with the nonce, and the codicons and chat styles', () => {
    const html = chatHtml(base);
    const scripts = tags(html, 'script');
    assert.strictEqual(scripts.length, 1);
    assert.strictEqual(attr(scripts[0]!, 'nonce'), base.nonce);
    assert.strictEqual(attr(scripts[0]!, 'src'), base.scriptUri);
    const links = tags(html, 'link').map((t) => attr(t, 'href'));
    assert.deepStrictEqual(links, [base.codiconsUri, base.styleUri]);
  });

  it('has no inline script, inline style, style attribute or event handler', () => {
    const html = chatHtml(base);
    // The one script is external (src) and empty.
    assert.match(html, /<script type="module" nonce="[^"]+" src="[^"]+"><\/script>/);
    assert.strictEqual(html.match(/<script/gi)?.length, 1);
    assert.doesNotMatch(html, /<style/i);
    assert.doesNotMatch(html, /\sstyle=/i);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /javascript:/i);
  });

  it('makes a fresh, long enough nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => makeNonce()));
    assert.strictEqual(nonces.size, 100);
    for (const nonce of nonces) {
      assert.match(nonce, /^[A-Za-z0-9+/]+=*$/);
      assert.ok(Buffer.from(nonce, 'base64').length >= 16, nonce);
    }
  });

  it('escapes attribute values so a URI cannot break out of its attribute', () => {
    const evil = `https://x/a.js"></script><script>alert(1)</script><x y='`;
    const html = chatHtml({ ...base, scriptUri: evil, styleUri: `x" onload="alert(1)`, codiconsUri: `y'><img src=x onerror=alert(1)>` });
    assert.strictEqual(html.match(/<script/gi)?.length, 1);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /\son[a-z]+="/i);
    const script = tags(html, 'script')[0]!;
    assert.strictEqual(unescape(attr(script, 'src')!), evil);
    const links = tags(html, 'link').map((t) => unescape(attr(t, 'href')!));
    assert.deepStrictEqual(links, [`y'><img src=x onerror=alert(1)>`, `x" onload="alert(1)`]);
  });

  it('escapes a hostile cspSource and nonce too', () => {
    const html = chatHtml({ ...base, cspSource: `"><script>alert(1)</script>`, nonce: `n"><b>` });
    assert.strictEqual(html.match(/<script/gi)?.length, 1);
    assert.doesNotMatch(html, /<b>/);
  });

  it('escapeAttr covers &, quotes and angle brackets', () => {
    assert.strictEqual(escapeAttr(`&"'<>`), '&amp;&quot;&#39;&lt;&gt;');
  });
});
