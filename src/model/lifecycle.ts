/**
 * Lifetimes without `vscode`: a `Disposable` base whose `_register` ties what a class creates or
 * subscribes to its own `dispose` (as vscode-pull-request-github's common/lifecycle.ts does), and
 * a small event emitter whose `Event` has the shape of `vscode.Event`, so views subscribe to the
 * model exactly as to VS Code and the model runs in plain Node.
 */

export interface IDisposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Disposes each, the last registered first; one throwing does not keep the others alive. */
export function disposeAll(disposables: IDisposable[]): void {
  const errors: unknown[] = [];
  for (const d of disposables.splice(0).reverse()) {
    try {
      d.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
}

export abstract class Disposable implements IDisposable {
  private isDisposed = false;
  private readonly registered: IDisposable[] = [];

  protected get disposed(): boolean {
    return this.isDisposed;
  }

  /** Disposed with this object; already disposed when this one is. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this.isDisposed) value.dispose();
    else this.registered.push(value);
    return value;
  }

  /** Idempotent: the second call does nothing. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    disposeAll(this.registered);
  }
}

/** Subscribes a listener; disposing the result unsubscribes it (the shape of `vscode.Event`). */
export type Event<T> = (listener: (e: T) => void) => IDisposable;

export class Emitter<T> implements IDisposable {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    // A new function each time, so one listener subscribed twice is called twice and unsubscribed once.
    const entry = (e: T) => listener(e);
    this.listeners.add(entry);
    return toDisposable(() => this.listeners.delete(entry));
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
