import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bookmark } from '../net/client/teamClient';
import { channelKey, conversationKeyOf, normaliseChannelName } from '../net/protocol/conversationKeys';
import { TeamMessengerError } from '../net/protocol/errors';
import { createStreamLogger } from '../net/logger';
import { ChatMessage } from '../net/protocol/messages';
import { writeFileAtomic } from '../net/atomicFile';
import { channelEvent, channelLine, messageEvent, messageLine, updateEvent, updateLine } from './chatEvents';
import { createClient, knownChannel, requireMember } from './clientSetup';
import { parseLogLevel } from './logLevel';
import { clientOptions, exitCodeFor, parse, parsePositiveInt, UsageError } from './options';
import { bookmarkFile } from './paths';
import { safeForTerminal } from './terminalText';

/**
 * `team-messenger listen`: stays connected (reconnecting as needed) and prints every event
 * (messages, changes to them, channel news, peers coming and going; with --channel only that
 * channel's messages, changes and news), one JSON object per line with --json. Remembers where
 * it left off, so a restarted listener receives what was said while it was down.
 */
export async function listenCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, {
    ...clientOptions,
    'accept-files': { type: 'string' },
    'max-file-size': { type: 'string' },
    channel: { type: 'string' },
  });
  const channelName = values.channel;
  if (channelName !== undefined && !normaliseChannelName(channelName)) throw new UsageError('--channel names no channel');
  const acceptDir = values['accept-files'] ? path.resolve(values['accept-files']) : undefined;
  const maxFileBytes = values['max-file-size'] === undefined ? undefined : parsePositiveInt('max-file-size', values['max-file-size'], 0);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'warn'));
  const client = createClient(values, env, logger, true);
  const json = values.json === true;
  const out = (event: Record<string, unknown>, human: string) => {
    // Human lines carry peer text and names: made inert for the terminal first.
    process.stdout.write(json ? JSON.stringify(event) + '\n' : `${new Date().toLocaleTimeString()} ${safeForTerminal(human)}\n`);
  };

  const bookmarkPath = bookmarkFile(client.clientId, env);
  client.bookmark = readBookmark(bookmarkPath);
  const saveBookmark = debounce(() => {
    if (!client.bookmark) return;
    try {
      fs.mkdirSync(path.dirname(bookmarkPath), { recursive: true, mode: 0o700 });
      writeFileAtomic(bookmarkPath, JSON.stringify(client.bookmark));
    } catch (err) {
      logger.warn('cannot save the bookmark', { file: bookmarkPath, error: (err as Error).message });
    }
  }, 300);

  client.on('welcome', (welcome) => {
    out(
      {
        type: 'connected',
        server: values.server,
        name: client.name,
        clientId: client.clientId,
        peers: welcome.peers.map((p) => p.name),
        presence: client.presenceMode,
        online: client.onlineCount,
      },
      client.presenceMode === 'watched'
        ? `connected to ${values.server} as ${client.name}; ${client.onlineCount} online (a big relay: only watched peers are listed)`
        : `connected to ${values.server} as ${client.name}; online: ${welcome.peers.map((p) => p.name).join(', ') || 'nobody else'}`,
    );
  });
  // Only the switches: in watched presence the count itself changes every few seconds.
  client.on('presence', (p) => {
    if (!p.switched) return;
    out(
      { type: 'presence', mode: p.mode, online: p.online },
      p.mode === 'watched'
        ? `${p.online} online: from now on only watched peers' joins and leaves are shown`
        : `${p.online} online: every join and leave is shown again`,
    );
  });
  client.on('peer-joined', (peer) =>
    out({ type: 'peer-joined', name: peer.name, machine: peer.machine, clientId: peer.clientId, id: peer.id }, `${peer.name} joined (${peer.machine})`),
  );
  client.on('peer-left', (peer) =>
    out({ type: 'peer-left', name: peer.name, clientId: peer.clientId, reason: peer.reason }, `${peer.name} left: ${peer.reason}`),
  );
  client.on('peer-updated', (peer) =>
    out({ type: 'peer-status', name: peer.name, clientId: peer.clientId, status: peer.status }, `${peer.name} is ${peer.status}`),
  );
  // With --channel, only that channel's messages, changes and news (found once the relay has
  // said which channels there are, before it replays anything).
  let onlyKey: string | undefined;
  const wanted = (conv: string) => channelName === undefined || conv === onlyKey;
  client.on('team-state', () => {
    if (channelName === undefined || onlyKey !== undefined) return;
    try {
      const channel = knownChannel(client, channelName);
      requireMember(client, channel);
      onlyKey = channelKey(channel.id);
    } catch (err) {
      stopWith(err as TeamMessengerError);
    }
  });
  client.on('message', (message: ChatMessage) => {
    // The bookmark moved past it either way: a restarted listener need not get it again.
    saveBookmark();
    if (!wanted(conversationKeyOf(message.to, message.from))) return;
    out(messageEvent(client, message), messageLine(client, message));
  });
  client.on('update', (update) => {
    saveBookmark();
    if (!wanted(update.conv)) return;
    out(updateEvent(client, update), updateLine(client, update));
  });
  client.on('channel', (channel) => {
    if (!wanted(channelKey(channel.id))) return;
    out(channelEvent(client, channel), `channel ${channelLine(client, channel)}`);
  });
  client.on('file-offer', (transfer) => {
    const files = transfer.files.map((f) => ({ name: f.name, size: f.size }));
    out(
      { type: 'file-offer', from: transfer.fromName, fromId: transfer.from, files, size: transfer.total, accepted: acceptDir !== undefined },
      `${transfer.fromName} offers ${files.length} file(s), ${transfer.total} bytes${acceptDir ? '' : ' (declined: start with --accept-files DIR to receive files)'}`,
    );
    if (!acceptDir) {
      transfer.decline('this listener does not accept files');
      return;
    }
    transfer.on('file', (file) =>
      out(
        { type: 'file-received', from: transfer.fromName, fromId: transfer.from, name: file.name, path: file.path, size: file.size, sha256: file.sha256 },
        `received ${file.name} from ${transfer.fromName} → ${file.path} (${file.size} bytes, sha256 ${file.sha256})`,
      ),
    );
    transfer.done.catch((err: TeamMessengerError) =>
      out(
        { type: 'file-failed', from: transfer.fromName, fromId: transfer.from, code: err.code, reason: err.message },
        `transfer from ${transfer.fromName} failed: ${err.message}`,
      ),
    );
    transfer.accept({ dir: acceptDir, ...(maxFileBytes !== undefined ? { maxFileBytes } : {}) }).catch(() => {
      // Reported through `done` above.
    });
  });
  client.on('relay-error', (error) => out({ type: 'relay-error', code: error.code, reason: error.message }, `relay: ${error.message}`));
  client.on('disconnected', (error) => out({ type: 'disconnected', code: error.code, reason: error.message }, `disconnected: ${error.message}`));

  let exitCode = 0;
  let stopWith: (error?: TeamMessengerError) => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      client.close().then(resolve, resolve);
    };
    stopWith = (error) => {
      if (error) {
        exitCode = exitCodeFor(error);
        process.stderr.write(`team-messenger: ${error.message} [${error.code}]\n`);
      }
      stop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    client.on('state', (state) => {
      if (state === 'closed') resolve();
    });
  });
  client.connect().catch((err: TeamMessengerError) => {
    exitCode = exitCodeFor(err);
    process.stderr.write(`team-messenger: ${err.message}\n`);
  });
  await stopped;
  saveBookmark.now();
  return exitCode;
}

function readBookmark(file: string): Bookmark | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      'epoch' in value &&
      typeof value.epoch === 'string' &&
      'seq' in value &&
      typeof value.seq === 'number' &&
      Number.isInteger(value.seq) &&
      value.seq >= 0
    ) {
      return { epoch: value.epoch, seq: value.seq };
    }
  } catch {
    // No bookmark yet, or an unreadable one: start from now.
  }
  return undefined;
}

function debounce(fn: () => void, ms: number): (() => void) & { now(): void } {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    clearTimeout(timer);
    timer = undefined;
    fn();
  };
  const call = () => {
    timer ??= setTimeout(run, ms);
  };
  return Object.assign(call, { now: run });
}
