#!/usr/bin/env node
// Fails when the extension's README (docs/marketplace/README.md, the page the Extensions view shows)
// is out of date with package.json: a setting or command added, renamed or described anew without
// its table row (fix: `node scripts/docs/settingsTable.js --write`). Also fails when it shows an
// image that is not a file the .vsix carries (media/readme/*.png).
'use strict';

const fs = require('fs');
const path = require('path');
const { README, SECTIONS, readPackageJson, readSection, markers } = require('./settingsTable');
const { localImages } = require('./vsixReadme');

const ROOT = path.resolve(__dirname, '..', '..');
const text = fs.readFileSync(README, 'utf8');
const pkg = readPackageJson();
const problems = [];

for (const [name, make] of Object.entries(SECTIONS)) {
  const found = readSection(text, name);
  if (found === undefined) {
    const { start, end } = markers(name);
    problems.push(`no ${name} table: the README needs ${start} and ${end}`);
  } else if (found !== make(pkg)) {
    problems.push(`the ${name} table is out of date with package.json (node scripts/docs/settingsTable.js --write)`);
  }
}

for (const m of text.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)) {
  if (/^[a-z]+:/i.test(m[1])) problems.push(`image ${m[1].slice(0, 60)}: not a file in the package (put it in media/readme/)`);
}
for (const { target, fromRoot } of localImages(text)) {
  if (!/^media\/readme\/[^/]+\.png$/.test(fromRoot)) problems.push(`image ${target}: not a PNG in media/readme/ (what the .vsix carries)`);
  else if (!fs.existsSync(path.join(ROOT, fromRoot))) problems.push(`image ${target}: no such file`);
}

const rel = path.relative(ROOT, README);
if (problems.length > 0) {
  console.error(`${rel}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${rel}: its settings and commands tables match package.json; its images are in media/readme/`);
