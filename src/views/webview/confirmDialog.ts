import { byId } from './dom';

/**
 * A modal question with two answers (Delete this message? Delete / Cancel), in a <dialog>: the
 * page behind is inert while it is open, Escape or Cancel says no. Cancel has the focus first,
 * so Enter alone never destroys anything.
 */
export class ConfirmDialog {
  private readonly dialog = byId('confirm-dialog') as HTMLDialogElement;
  private readonly title = byId('confirm-title');
  private readonly text = byId('confirm-text');
  private readonly ok = byId<HTMLButtonElement>('confirm-ok');
  private readonly cancel = byId<HTMLButtonElement>('confirm-cancel');
  private answer: ((yes: boolean) => void) | undefined;

  constructor() {
    this.ok.addEventListener('click', () => this.finish(true));
    this.cancel.addEventListener('click', () => this.finish(false));
    this.dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      this.finish(false);
    });
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  /** Asks; resolves true for the action, false for Cancel or Escape. The focus returns where it was. */
  ask(title: string, text: string, action: string): Promise<boolean> {
    this.finish(false);
    const returnTo = document.activeElement as HTMLElement | null;
    this.title.textContent = title;
    this.text.textContent = text;
    this.ok.textContent = action;
    this.ok.setAttribute('aria-label', action);
    this.dialog.showModal();
    this.cancel.focus();
    return new Promise((resolve) => {
      this.answer = (yes) => {
        if (returnTo?.isConnected) returnTo.focus();
        resolve(yes);
      };
    });
  }

  private finish(yes: boolean): void {
    const answer = this.answer;
    this.answer = undefined;
    if (this.dialog.open) this.dialog.close();
    answer?.(yes);
  }
}
