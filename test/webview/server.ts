import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { chatHtml, makeNonce } from '../../src/views/chatHtml';

/**
 * Serves the chat webview as VS Code would: the real chatHtml() document (its CSP in place,
 * cspSource = this server's origin) and the built files it links (and the bundles the script imports),
 * nothing else. `/blank` is the same document with an empty script: what opening a page at all
 * costs (the bench's baseline).
 */

const ROOT = path.resolve(__dirname, '..', '..');

const FILES: Record<string, { file: string; type: string }> = {
  '/dist/webview.js': { file: 'dist/webview.js', type: 'text/javascript' },
  '/dist/webview.js.map': { file: 'dist/webview.js.map', type: 'application/json' },
  '/dist/webview-formatter.js': { file: 'dist/webview-formatter.js', type: 'text/javascript' },
  '/dist/webview-formatter.js.map': { file: 'dist/webview-formatter.js.map', type: 'application/json' },
  '/dist/webview-emoji.js': { file: 'dist/webview-emoji.js', type: 'text/javascript' },
  '/dist/webview-emoji.js.map': { file: 'dist/webview-emoji.js.map', type: 'application/json' },
  '/media/chat.css': { file: 'media/chat.css', type: 'text/css' },
  '/dist/codicons/codicon.css': { file: 'dist/codicons/codicon.css', type: 'text/css' },
  '/dist/codicons/codicon.ttf': { file: 'dist/codicons/codicon.ttf', type: 'font/ttf' },
};

export interface WebviewServer {
  origin: string;
  /** The URL of a fresh document (new nonce each load). */
  url: string;
  /** The same document with an empty script. */
  blankUrl: string;
  close(): Promise<void>;
}

export async function startWebviewServer(): Promise<WebviewServer> {
  for (const { file } of Object.values(FILES)) {
    if (!file.endsWith('.map') && !fs.existsSync(path.join(ROOT, file))) {
      throw new Error(`${file} is missing: run \`node esbuild.js\` first (npm run test:webview does)`);
    }
  }
  let origin = '';
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/blank.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end('');
      return;
    }
    if (pathname === '/' || pathname === '/blank') {
      const html = chatHtml({
        cspSource: origin,
        nonce: makeNonce(),
        scriptUri: pathname === '/' ? `${origin}/dist/webview.js` : `${origin}/blank.js`,
        styleUri: `${origin}/media/chat.css`,
        codiconsUri: `${origin}/dist/codicons/codicon.css`,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end(); // a browser tab asks; a webview does not
      return;
    }
    const entry = FILES[pathname];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(path.join(ROOT, entry.file), (err, data) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/`,
    blankUrl: `${origin}/blank`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
