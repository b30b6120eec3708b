#!/usr/bin/env node
// Writes the README the .vsix carries (dist/README.md; `npm run package` passes it to
// `vsce package --readme-path`, which stores it as extension/readme.md) from
// docs/marketplace/README.md, without its screenshots. The source links them relative to itself
// (../../media/readme/*.png), so they show when it is read in the repository. VS Code's
// Extensions view shows README images from https: only (not files inside the extension, nor data:
// URLs), and vsce makes relative links https only given a public repository URL, which this
// project does not name: in the package they would be broken-image marks, so they are left out.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'docs', 'marketplace', 'README.md');
const OUT = path.join(ROOT, 'dist', 'README.md');

/** Markdown images: ![alt](target) with an optional "title". */
const IMAGE = /!\[([^\]]*)\]\(([^)\s]+)(\s+"[^"]*")?\)/g;

/** `target` (relative to the source README) as a path from the project root, with forward slashes. */
function fromRoot(target) {
  return path
    .relative(ROOT, path.resolve(path.dirname(SOURCE), target))
    .split(path.sep)
    .join('/');
}

/** The README's images that are files (not URLs): each link as written, and the file from the project root. */
function localImages(text) {
  return [...text.matchAll(IMAGE)].filter((m) => !/^[a-z]+:/i.test(m[2])).map((m) => ({ target: m[2], fromRoot: fromRoot(m[2]) }));
}

/** The README without its local images (each checked to exist, so the repository's copy stays right). */
function withoutLocalImages(text) {
  return text
    .replace(IMAGE, (all, alt, target) => {
      if (/^[a-z]+:/i.test(target)) return all;
      if (!fs.existsSync(path.join(ROOT, fromRoot(target)))) throw new Error(`${path.relative(ROOT, SOURCE)}: image ${target}: no such file`);
      return '';
    })
    .replace(/\n[ \t]*\n([ \t]*\n)+/g, '\n\n');
}

module.exports = { SOURCE, localImages };

if (require.main === module) {
  const source = fs.readFileSync(SOURCE, 'utf8');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, withoutLocalImages(source));
  console.log(`${path.relative(ROOT, OUT)}: from ${path.relative(ROOT, SOURCE)}, its ${localImages(source).length} screenshots left out`);
}
