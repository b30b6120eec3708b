import { Prng } from './prng';

/**
 * The words of the search bench's synthetic team chat. The most frequent ranks are English and
 * a software team's jargon, roughly in the order chat uses them; the long tail is made-up
 * pronounceable words (project names, identifiers, typos, jargon of one team), so that a rare
 * word is as rare as it is in real chat and prefixes of it are shared with a few others.
 */

const COMMON = `the to i a and is it you that on for in this of be we can have not with
just do at so are if but was what there ok yes no will my me think should get from they
now like all an up out about one or need would see how when then go which know
thanks some time by also could more did here has test build deploy fix release branch merge
pr review code bug issue look main error fail failing failed works working tests run running
change changes update new today tomorrow yesterday morning meeting standup sync call later
server client relay api endpoint request response timeout retry connection socket config
setting settings file files log logs trace stack memory cpu latency slow fast cache index
query database db table schema migration rollback prod production staging dev local docker
image container k8s cluster node pod service queue worker job cron ci pipeline green red
flaky check checks lint type types typescript node npm package version dependency upgrade
bump patch hotfix incident alert page pager oncall dashboard metric metrics graph spike
users user customer team ticket jira sprint plan design doc docs draft spec feedback ship
shipped blocked blocker waiting done wip todo next week friday monday please could someone
help anyone idea sure sounds good great nice cool lgtm ptal ack merged reverted
revert rebase conflict commit commits push pushed pull tag tags repo repository monorepo
frontend backend ui ux css html react component state props hook render webview extension
panel view editor vscode terminal shell script bash python go rust java kotlin swift
function method class interface module import export return async await promise callback
event events handler listener stream buffer bytes encode decode parse json yaml toml csv
auth token secret key keys cert certificate tls ssl login logout session cookie header
headers payload frame frames message messages chat channel channels thread threads reply
replies search history scroll page pages scrollback reaction emoji edit delete read unread
benchmark bench profile profiling flamegraph gc heap leak leaks alloc allocation pool
limit limits rate throttle backoff jitter window chunk chunks upload download transfer
offer accept decline cancel progress percent eta disk full space quota retention compact
compaction epoch seq bookmark resume replay reconnect handshake hello welcome presence
online offline away busy status roster peer peers invite invites link qr secret fingerprint
because maybe probably actually still already again though really pretty quite very much
many few lot lots bit little big small huge tiny first last other same different right
wrong better worse best worst easy hard simple complex weird odd strange interesting
before after since until while during between over under into onto through without
`;

/** Syllables for the made-up words: onset, vowel, optional coda. */
const ONSETS = [
  'b',
  'br',
  'c',
  'ch',
  'cl',
  'd',
  'dr',
  'f',
  'fl',
  'g',
  'gr',
  'h',
  'j',
  'k',
  'kr',
  'l',
  'm',
  'n',
  'p',
  'pl',
  'pr',
  'qu',
  'r',
  's',
  'sh',
  'sk',
  'sl',
  'sp',
  'st',
  't',
  'th',
  'tr',
  'v',
  'w',
  'z',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'nd', 'rk', 'st', 'ng', 'm', 't'];

/** `size` distinct lowercase words, the common ones first, made-up ones after (seeded). */
export function vocabulary(size: number, seed: number): string[] {
  const words: string[] = [];
  const seen = new Set<string>();
  for (const w of COMMON.split(/\s+/)) {
    const word = w.toLowerCase();
    if (word && !seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  const prng = new Prng(seed);
  while (words.length < size) {
    const syllables = prng.int(1, 3);
    let word = '';
    for (let s = 0; s < syllables; s++) word += prng.pick(ONSETS) + prng.pick(VOWELS) + (s === syllables - 1 || prng.chance(0.3) ? prng.pick(CODAS) : '');
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  return words.slice(0, size);
}

const FIRST_NAMES = `alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil
trent victor walter yara zoe amir bea chen dmitri elif farah goran hana igor jun kofi lena mateo
nadia omar priya quinn ravi sofia tariq uma vera wen xavier yusuf zara anders bianca cyril dalia
emeka fiona gustav hiro ines jonas keiko luca mira nils oksana pablo rania stefan tomas ulla
vikram wiebke ximena yosef zeynep`.split(/\s+/);

/** `count` distinct display names ("alice", "alice.b", …), as a team of that size would have. */
export function peopleNames(count: number): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const round = Math.floor(i / FIRST_NAMES.length);
    names.push(round === 0 ? first : `${first}.${String.fromCharCode(97 + ((round - 1) % 26))}${round > 26 ? Math.floor((round - 1) / 26) : ''}`);
  }
  return names;
}
