import * as vscode from 'vscode';
import { isNotifyLevel, NotifyLevel } from '../model/notificationPolicy';
import type { QuietSettings } from '../model/quietMode';
import { SECTION } from './settings';

/** The `teamMessenger.notifications.*` and `teamMessenger.status.*` settings. */
export interface FocusSettings extends QuietSettings {
  /** Direct and group conversations without a level of their own. */
  directDefault: NotifyLevel;
  /** Channels without a level of their own. */
  channelsDefault: NotifyLevel;
  /** Minutes of inactivity before the status shows Away; 0: never. */
  awayAfterMinutes: number;
}

export const FOCUS_KEYS = [
  'notifications.directMessages',
  'notifications.channels',
  'notifications.quietWhileDebugging',
  'notifications.quietWhileTypingSeconds',
  'status.awayAfterMinutes',
] as const;

export function readFocusSettings(): FocusSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const level = (key: string, fallback: NotifyLevel): NotifyLevel => {
    const value = c.get<unknown>(key, fallback);
    return isNotifyLevel(value) ? value : fallback;
  };
  return {
    directDefault: level('notifications.directMessages', 'all'),
    channelsDefault: level('notifications.channels', 'mentions'),
    whileDebugging: c.get<boolean>('notifications.quietWhileDebugging', true) !== false,
    typingSeconds: clamp(c.get<number>('notifications.quietWhileTypingSeconds', 20), 0, 600),
    awayAfterMinutes: clamp(c.get<number>('status.awayAfterMinutes', 10), 0, 24 * 60),
  };
}

function clamp(value: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
