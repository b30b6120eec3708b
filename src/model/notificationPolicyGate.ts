import type { PeerStatus } from '../net/protocol/messages';
import { channelOf } from './conversationIds';
import type { ConversationLevels } from './conversationMute';
import type { ConversationId } from './conversationTypes';
import { Disposable, Emitter, Event } from './lifecycle';
import type { IncomingNotice, MessengerModel } from './messengerModel';
import { noticeFacts } from './messengerNotices';
import { decideNotice, effectiveLevel, holdReason, HoldReason, NotifyLevel, QuietReason } from './notificationPolicy';
import { HeldNotice, HeldSummary, summariseHeld } from './notificationPolicySummary';

/** Held notices kept for the summary; beyond it the oldest go (the summary counts the rest). */
export const MAX_HELD = 10_000;

/** A notice let through, and why when something else was holding. */
export interface ShownNotice extends IncomingNotice {
  /** Let through despite quiet mode, Busy or Do Not Disturb. */
  breakthrough?: 'urgent' | 'mention';
}

export interface NoticeGateSources {
  model: Pick<MessengerModel, 'onNotice' | 'onStoreChanged' | 'store' | 'selfName' | 'conversationTitle'>;
  levels: Pick<ConversationLevels, 'get'>;
  /** The settings' defaults for conversations without a level of their own. */
  defaults(): { direct: NotifyLevel; channels: NotifyLevel };
  /** The user's status as others see it (automatic Away included). */
  status: { readonly current: PeerStatus; readonly onDidChange: Event<PeerStatus> };
  quiet: { readonly reason: QuietReason | undefined; readonly onDidChange: Event<QuietReason | undefined> };
}

/**
 * Between the model's notices and the notifications: each new message goes through the policy
 * (notificationPolicy.ts) and is shown, dropped, or held; once neither the status nor quiet mode
 * holds any more, what was held and is still unread comes out as one summary.
 */
export class NoticeGate extends Disposable {
  private held: HeldNotice[] = [];
  /** What held the notices (the strongest reason seen since the first), for the summary's words. */
  private heldFor: HoldReason | undefined;
  private readonly shown = this._register(new Emitter<ShownNotice>());
  private readonly summary = this._register(new Emitter<HeldSummary>());
  private readonly heldChanged = this._register(new Emitter<number>());
  readonly onShow = this.shown.event;
  readonly onSummary = this.summary.event;
  /** How many notices wait for the summary (the status bar says so). */
  readonly onHeldChanged = this.heldChanged.event;

  constructor(private readonly sources: NoticeGateSources) {
    super();
    this._register(sources.model.onNotice((notice) => this.consider(notice)));
    this._register(sources.status.onDidChange(() => this.releaseIfFree()));
    this._register(sources.quiet.onDidChange(() => this.releaseIfFree()));
    // A conversation read meanwhile (opened while quiet) leaves the summary.
    this._register(
      sources.model.onStoreChanged((change) => {
        if (change.kind === 'unread' && change.conversationId && sources.model.store.unreadOf(change.conversationId) === 0) this.forget(change.conversationId);
      }),
    );
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** The level the conversation notifies at: its own, or the default for its kind. */
  levelOf(conversationId: ConversationId): NotifyLevel {
    return effectiveLevel(this.sources.levels.get(conversationId), channelOf(conversationId) !== undefined, this.sources.defaults());
  }

  private consider(notice: IncomingNotice): void {
    const { model, status, quiet } = this.sources;
    const facts = noticeFacts(model.store, notice.conversationId, notice.message, model.selfName);
    const decision = decideNotice(facts, { status: status.current, level: this.levelOf(notice.conversationId), quiet: quiet.reason });
    if (decision === 'drop') return;
    const reason = holdReason(status.current, quiet.reason);
    if (decision === 'show') {
      const breakthrough = reason === undefined ? undefined : facts.urgent ? 'urgent' : 'mention';
      this.shown.fire({ ...notice, ...(breakthrough ? { breakthrough } : {}) });
      return;
    }
    this.heldFor = strongest(this.heldFor, reason);
    this.held.push({ conversationId: notice.conversationId, title: model.conversationTitle(notice.conversationId), kind: kindOf(notice.conversationId) });
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
    this.heldChanged.fire(this.held.length);
  }

  private releaseIfFree(): void {
    if (holdReason(this.sources.status.current, this.sources.quiet.reason) !== undefined || this.held.length === 0) return;
    const summary = summariseHeld(this.held, this.heldFor ?? 'typing');
    this.held = [];
    this.heldFor = undefined;
    this.heldChanged.fire(0);
    if (summary) this.summary.fire(summary);
  }

  private forget(conversationId: ConversationId): void {
    const before = this.held.length;
    this.held = this.held.filter((h) => h.conversationId !== conversationId);
    if (this.held.length !== before) this.heldChanged.fire(this.held.length);
  }
}

const STRENGTH: Record<HoldReason, number> = { dnd: 3, busy: 2, debugging: 1, typing: 0 };

function strongest(a: HoldReason | undefined, b: HoldReason | undefined): HoldReason | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return STRENGTH[a] >= STRENGTH[b] ? a : b;
}

function kindOf(conversationId: ConversationId): HeldNotice['kind'] {
  if (channelOf(conversationId) !== undefined) return 'channel';
  return conversationId.startsWith('group:') ? 'group' : 'direct';
}
