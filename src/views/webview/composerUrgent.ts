import { button, icon } from './dom';

/** Said on the toggle; its pressed state (aria-pressed) says whether it is on. */
const LABEL = 'Send as urgent';
const TITLE_OFF = 'Send as urgent: the next message notifies even under Do Not Disturb';
const TITLE_ON = 'The next message is sent as urgent (click to turn off)';

/**
 * The composer's Urgent toggle: on, the next message goes with `urgent` (it notifies its readers
 * even under Do Not Disturb), then it turns itself off, so urgency is always chosen per message.
 * A plain button with aria-pressed: Tab reaches it, Space or Enter flips it.
 */
export class UrgentToggle {
  readonly element: HTMLButtonElement;
  private on = false;

  /** `composer`: the box it marks while on; the toggle goes before `before` (the Send button). */
  constructor(
    private readonly composer: HTMLElement,
    before: HTMLElement,
  ) {
    this.element = button('icon-button urgent-toggle', LABEL, [icon('bell-dot')], () => this.set(!this.on), TITLE_OFF);
    before.before(this.element);
    this.set(false);
  }

  get pressed(): boolean {
    return this.on;
  }

  /** Whether the next message is urgent; the toggle turns off (urgency is chosen per message). */
  take(): boolean {
    const was = this.on;
    this.set(false);
    return was;
  }

  /** Off, and usable only while the box is (no conversation, an archived channel: disabled). */
  reset(enabled: boolean): void {
    this.element.disabled = !enabled;
    this.set(false);
  }

  private set(on: boolean): void {
    this.on = on;
    this.element.setAttribute('aria-pressed', String(on));
    this.element.title = on ? TITLE_ON : TITLE_OFF;
    this.composer.classList.toggle('urgent', on);
  }
}
