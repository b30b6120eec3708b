#!/usr/bin/env node
// The tables of the extension's own README (docs/marketplace/README.md, the .vsix's product page),
// made from package.json so they cannot drift from what the extension contributes:
//
//   node scripts/docs/settingsTable.js              prints the settings table (contributes.configuration)
//   node scripts/docs/settingsTable.js --commands   prints the commands table (contributes.commands, menus)
//   node scripts/docs/settingsTable.js --write      puts both into the README between their markers
//
// scripts/docs/checkReadme.js (run by .ci/run) fails when the README's tables differ from these.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const README = path.join(ROOT, 'docs', 'marketplace', 'README.md');

/** Each generated table sits between `<!-- <name>:start -->` and `<!-- <name>:end -->` in the README. */
const SECTIONS = {
  settings: settingsTable,
  commands: commandsTable,
};

function readPackageJson() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
}

/** Text for one table cell: on one line, with the pipe escaped. */
function cell(text) {
  return String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function code(text) {
  return '`' + text + '`';
}

function formatDefault(value) {
  if (value === undefined) return '';
  if (value === '') return '(empty)';
  return code(JSON.stringify(value).replace(/^"(.*)"$/, '$1'));
}

/** Every setting of contributes.configuration, in its `order`: name, default, description. */
function settingsTable(pkg) {
  const sections = [].concat(pkg.contributes.configuration || []);
  const settings = sections.flatMap((section) => Object.entries(section.properties || {}));
  settings.sort(([, a], [, b]) => (a.order ?? Infinity) - (b.order ?? Infinity));
  const rows = settings.map(([name, s]) => {
    let description = s.markdownDescription || s.description || '';
    if (s.minimum !== undefined && s.maximum !== undefined) description += ` From ${s.minimum} to ${s.maximum}.`;
    else if (s.minimum !== undefined) description += ` At least ${s.minimum}.`;
    else if (s.maximum !== undefined) description += ` At most ${s.maximum}.`;
    if (s.maxLength !== undefined) description += ` At most ${s.maxLength} characters.`;
    return `| ${code(name)} | ${cell(formatDefault(s.default))} | ${cell(description)} |`;
  });
  return ['| Setting | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Where VS Code shows a command: the Command Palette and the menus that list it. */
function placesOf(command, pkg) {
  const menus = pkg.contributes.menus || {};
  const viewName = (id) => {
    for (const views of Object.values(pkg.contributes.views || {})) {
      const view = views.find((v) => v.id === id);
      if (view) return `${view.name} view`;
    }
    return 'view';
  };
  const viewOf = (when) => {
    const m = /\bview == ([\w.-]+)/.exec(when || '');
    return m ? viewName(m[1]) : 'view';
  };
  // Which rows a context menu entry is on, by the row's contextValue (`viewItem` in its `when`).
  const rowOf = (when) => {
    const m = /\bviewItem (?:== |=~ \/\^?)([\w.-]+)/.exec(when || '');
    const kind = m ? m[1] : '';
    if (kind.startsWith('peer')) return "a peer's row";
    if (kind.startsWith('channel')) return "a channel's row";
    if (kind === 'section.channels') return 'the Channels heading';
    if (kind === 'hosting') return 'the hosting row';
    return 'a row';
  };
  const places = [];
  const add = (place) => {
    if (!places.includes(place)) places.push(place);
  };
  const palette = (menus.commandPalette || []).find((m) => m.command === command);
  if (!palette || palette.when !== 'false') add('Command Palette');
  for (const [menu, entries] of Object.entries(menus)) {
    for (const entry of entries) {
      if (entry.command !== command || menu === 'commandPalette') continue;
      if (menu in MENU_PLACES) add(MENU_PLACES[menu]);
      else if (menu === 'view/title') add(`${viewOf(entry.when)} ${/^navigation/.test(entry.group || '') ? 'title bar' : '“…” menu'}`);
      else if (menu === 'view/item/context')
        add(`${viewOf(entry.when)}: ${/^inline/.test(entry.group || '') ? 'button on' : 'right-click on'} ${rowOf(entry.when)}`);
      else add(menu);
    }
  }
  return places;
}

/** Menus named as a person finds them. */
const MENU_PLACES = {
  'explorer/context': 'Explorer context menu',
  'editor/context': 'editor context menu',
  'scm/title': 'Source Control title bar',
  'scm/resourceGroup/context': 'Source Control: right-click on a group of changes',
  'scm/resourceState/context': 'Source Control: right-click on a changed file',
  'terminal/context': 'terminal context menu',
};

/**
 * Every command a person can reach (in the Command Palette or a menu), with its full title and
 * where it shows. Those hidden from the palette and in no menu (what a click on a peer's row or
 * the status bar runs) are left out.
 */
function commandsTable(pkg) {
  const rows = [];
  for (const c of pkg.contributes.commands || []) {
    const places = placesOf(c.command, pkg);
    if (places.length === 0) continue;
    const title = c.category ? `${c.category}: ${c.title}` : c.title;
    rows.push(`| ${cell(`**${title}**`)} | ${cell(places.join(', '))} |`);
  }
  return ['| Command | Where |', '| --- | --- |', ...rows].join('\n');
}

function markers(name) {
  return { start: `<!-- ${name}:start (made by scripts/docs/settingsTable.js) -->`, end: `<!-- ${name}:end -->` };
}

/** The README's text between a section's markers (trimmed), or undefined when the markers are missing. */
function readSection(text, name) {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) return undefined;
  return text.slice(from + start.length, to).trim();
}

function writeSection(text, name, table) {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`${path.relative(ROOT, README)} has no ${start} … ${end}`);
  return text.slice(0, from + start.length) + '\n' + table + '\n' + text.slice(to);
}

module.exports = { README, SECTIONS, readPackageJson, readSection, markers, settingsTable, commandsTable };

if (require.main === module) {
  const pkg = readPackageJson();
  if (process.argv.includes('--write')) {
    let text = fs.readFileSync(README, 'utf8');
    for (const [name, make] of Object.entries(SECTIONS)) text = writeSection(text, name, make(pkg));
    fs.writeFileSync(README, text);
    console.log(`${path.relative(ROOT, README)}: tables written`);
  } else {
    console.log(process.argv.includes('--commands') ? commandsTable(pkg) : settingsTable(pkg));
  }
}
