import * as vscode from 'vscode';
import { formatFields, Logger } from '../net/logger';

/** The core's Logger, writing into the one "Team Messenger" log channel. */
export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    debug: (message, fields) => channel.debug(message + formatFields(fields)),
    info: (message, fields) => channel.info(message + formatFields(fields)),
    warn: (message, fields) => channel.warn(message + formatFields(fields)),
    error: (message, fields) => channel.error(message + formatFields(fields)),
  };
}
