import { PeerStatus } from '../net/protocol/messages';
import { Disposable, Emitter } from '../model/lifecycle';
import type { KeyValueStore } from '../model/savedState';

const KEY = 'teamMessenger.status';
const STATUSES: readonly PeerStatus[] = ['online', 'away', 'busy', 'dnd'];

/**
 * The user's status: the one they chose (kept across sessions), shown to others as Away while
 * the window is idle when they chose Available. Every change goes to the relay through `apply`;
 * a new connection starts with `current` (ConnectionManager.statusFor).
 */
export class UserStatus extends Disposable {
  private chosenValue: PeerStatus;
  private idle = false;
  private readonly changed = this._register(new Emitter<PeerStatus>());
  /** The status others see changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: KeyValueStore,
    private readonly apply: (status: PeerStatus) => void,
  ) {
    super();
    const saved = state.get<unknown>(KEY);
    this.chosenValue = STATUSES.includes(saved as PeerStatus) ? (saved as PeerStatus) : 'online';
  }

  /** What the user picked. */
  get chosen(): PeerStatus {
    return this.chosenValue;
  }

  /** What others see: Away while idle instead of Available; Busy and Do Not Disturb stay. */
  get current(): PeerStatus {
    return this.idle && this.chosenValue === 'online' ? 'away' : this.chosenValue;
  }

  /** Whether Away now is the automatic one (it ends on the user's next activity). */
  get automaticAway(): boolean {
    return this.current === 'away' && this.chosenValue === 'online';
  }

  choose(status: PeerStatus): void {
    if (!STATUSES.includes(status)) throw new Error(`Not a status: ${String(status)}`);
    this.idle = false;
    void this.state.update(KEY, status);
    this.set(() => (this.chosenValue = status));
  }

  /** The idle watch's word: idle (Away when Available) or back. */
  setIdle(idle: boolean): void {
    this.set(() => (this.idle = idle));
  }

  private set(change: () => void): void {
    const before = this.current;
    change();
    if (this.current === before) return;
    this.apply(this.current);
    this.changed.fire(this.current);
  }
}
