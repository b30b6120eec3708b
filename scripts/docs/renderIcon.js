#!/usr/bin/env node
// Renders the extension's 128×128 icon, media/icon.png (package.json "icon"), from the activity-bar
// glyph in media/team-messenger.svg: the same two speech bubbles, in white on a rounded blue square,
// as icons in the Extensions view have. The PNG is committed; run this again only when the glyph or
// the look changes:
//
//   node scripts/docs/renderIcon.js            (Debian's Chromium; E2E_CHROMIUM=<path> for another)
//
// Drawn by the same Chromium and playwright-core the browser tests use, so nothing else is needed.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const GLYPH = path.join(ROOT, 'media', 'team-messenger.svg');
const OUT = path.join(ROOT, 'media', 'icon.png');
const SIZE = 128;
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
// As in test/browser/chromium.ts: no sandbox as root, no background networking.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The glyph's two paths: the front bubble (closed) and the one behind it (an open outline). */
function glyphPaths() {
  const svg = fs.readFileSync(GLYPH, 'utf8');
  const paths = [...svg.matchAll(/<path\s+d="([^"]+)"/g)].map((m) => m[1]);
  if (paths.length !== 2) throw new Error(`${path.relative(ROOT, GLYPH)}: expected 2 paths, found ${paths.length}`);
  return paths;
}

function iconSvg() {
  const [front, back] = glyphPaths();
  // The glyph spans x 3..21 and y 4..19 of its 24-unit box: centred, scaled to about 80 px.
  const scale = 4.4;
  const glyph = `translate(${SIZE / 2} ${SIZE / 2 + 2}) scale(${scale}) translate(-12 -11.5)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3b82f6"/>
      <stop offset="1" stop-color="#0f4fb8"/>
    </linearGradient>
  </defs>
  <rect x="4" y="4" width="${SIZE - 8}" height="${SIZE - 8}" rx="26" fill="url(#bg)"/>
  <g transform="${glyph}" stroke-linejoin="round" stroke-linecap="round">
    <path d="${back}" fill="none" stroke="#bfdbfe" stroke-width="1.5"/>
    <path d="${front}" fill="#ffffff" stroke="#ffffff" stroke-width="1.5"/>
    <circle cx="6.5" cy="8.5" r="1.05" fill="#1d64d8"/>
    <circle cx="9.5" cy="8.5" r="1.05" fill="#1d64d8"/>
    <circle cx="12.5" cy="8.5" r="1.05" fill="#1d64d8"/>
  </g>
</svg>`;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buffer) {
  if (buffer.toString('latin1', 1, 4) !== 'PNG' || buffer.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${iconSvg()}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    const { width, height } = pngSize(png);
    if (width !== SIZE || height !== SIZE) throw new Error(`rendered ${width}×${height}, expected ${SIZE}×${SIZE}`);
    fs.writeFileSync(OUT, png);
    console.log(`${path.relative(ROOT, OUT)}: ${width}×${height}, ${png.length} bytes`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`renderIcon: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
