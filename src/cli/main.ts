import { isTeamMessengerError } from '../net/protocol/errors';
import { channelsCommand } from './channelsCommand';
import { historyCommand, searchCommand } from './historyCommands';
import { inviteCommand, invitesCommand, joinCommand } from './inviteCommands';
import { listenCommand } from './listenCommand';
import { EXIT, exitCodeFor, UsageError } from './options';
import { relayCommand } from './relayCommand';
import { sendCommand } from './sendCommand';
import { sendFileCommand } from './sendFileCommand';
import { USAGE } from './usage';

/** Entry point of the `team-messenger` command. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'relay':
      return relayCommand(rest, process.env);
    case 'listen':
      return listenCommand(rest, process.env);
    case 'send':
      return sendCommand(rest, process.env, process.stdin);
    case 'send-file':
      return sendFileCommand(rest, process.env);
    case 'channels':
      return channelsCommand(rest, process.env);
    case 'history':
      return historyCommand(rest, process.env);
    case 'search':
      return searchCommand(rest, process.env);
    case 'invite':
      return inviteCommand(rest, process.env);
    case 'invites':
      return invitesCommand(rest, process.env);
    case 'join':
      return joinCommand(rest, process.env);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`team-messenger: ${err.message}\n\n${USAGE}\n`);
    } else {
      const code = isTeamMessengerError(err) ? ` [${err.code}]` : '';
      process.stderr.write(`team-messenger: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    }
    process.exitCode = exitCodeFor(err);
  },
);
