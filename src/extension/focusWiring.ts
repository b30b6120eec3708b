import * as vscode from 'vscode';
import type { Logger } from '../net/logger';
import type { PeerStatus } from '../net/protocol/messages';
import { channelOf } from '../model/conversationIds';
import { ConversationLevels } from '../model/conversationMute';
import type { ConversationId } from '../model/conversationTypes';
import { Disposable, Event } from '../model/lifecycle';
import type { Messenger } from '../model/messenger';
import { effectiveLevel, NotifyLevel } from '../model/notificationPolicy';
import { NoticeGate } from '../model/notificationPolicyGate';
import { QuietMode } from '../model/quietMode';
import { MessageNotifications } from '../views/notifications';
import { FocusStatusItem } from '../views/statusBar';
import type { FocusControls } from './focusCommands';
import { FOCUS_KEYS, readFocusSettings } from './focusSettings';
import { EditorFocusSignals, userAtWindow } from './focusSignals';
import { IdleWatch } from './idleAway';
import { UserStatus } from './userStatus';
import { SECTION } from './settings';

/**
 * Notifications that respect focus, put together: the user's status (with automatic Away), quiet
 * mode from the editor and the debugger, per-conversation levels, the gate that applies the
 * policy, the notifications and the status bar item. `controls` is what the commands change.
 */
export class FocusedNotifications extends Disposable {
  readonly status: UserStatus;
  readonly levels: ConversationLevels;
  readonly gate: NoticeGate;
  readonly controls: FocusControls;
  /** Each conversation's level as the chat header shows it. */
  readonly notifyLevels: { levelOf(id: ConversationId): NotifyLevel; readonly onDidChange: Event<ConversationId> };

  constructor(deps: {
    messenger: Messenger;
    state: vscode.Memento;
    logger: Logger;
    /** Where a new client gets its first status (ConnectionManager.statusFor). */
    useStatusFor: (status: () => PeerStatus) => void;
    reveal: (conversationId: ConversationId) => void;
  }) {
    super();
    const { messenger } = deps;
    this.status = this._register(new UserStatus(deps.state, (s) => messenger.setStatus(s)));
    deps.useStatusFor(() => this.status.current);
    this.levels = this._register(new ConversationLevels(deps.state, deps.logger));
    const quiet = this._register(new QuietMode(readFocusSettings));
    const idle = this._register(
      new IdleWatch({ minutes: () => readFocusSettings().awayAfterMinutes, present: userAtWindow, onIdle: (idle) => this.status.setIdle(idle) }),
    );
    this._register(new EditorFocusSignals(quiet, idle));
    const defaults = () => {
      const s = readFocusSettings();
      return { direct: s.directDefault, channels: s.channelsDefault };
    };
    this.gate = this._register(new NoticeGate({ model: messenger, levels: this.levels, defaults, status: this.status, quiet }));
    this._register(new MessageNotifications(this.gate, deps.reveal));
    this._register(new FocusStatusItem({ status: this.status, quiet, held: this.gate }));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!FOCUS_KEYS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) return;
        quiet.settingsChanged();
        idle.settingsChanged();
      }),
    );
    this.notifyLevels = { levelOf: (id) => this.gate.levelOf(id), onDidChange: this.levels.onDidChange };
    this.controls = {
      status: this.status,
      levels: this.levels,
      defaultLevel: (id) => effectiveLevel(undefined, channelOf(id) !== undefined, defaults()),
      title: (id) => messenger.conversationTitle(id),
      sendUrgent: (id, text) => messenger.send(id, text, undefined, { urgent: true }) !== undefined,
    };
  }
}
