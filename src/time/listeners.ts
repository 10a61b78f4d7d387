/**
 * A list of callbacks that a clock calls in order. A callback that throws is reported and
 * the others still run: a clock must keep time whatever its listeners do.
 *
 * @example
 * const steps = new Listeners<number>((err) => console.error(err));
 * const off = steps.add((s) => console.log('step', s));
 * steps.emit(0);   // logs "step 0"
 * off();
 */
export class Listeners<T> {
  // replaced, never mutated, so a callback may add or remove listeners while we iterate
  private list: readonly ((e: T) => void)[] = [];

  constructor(private readonly onError: (err: unknown) => void) {}

  add(cb: (e: T) => void): () => void {
    this.list = [...this.list, cb];
    return () => {
      this.list = this.list.filter((x) => x !== cb);
    };
  }

  get size(): number {
    return this.list.length;
  }

  emit(e: T): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](e);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

export const reportError = (err: unknown): void => console.error('pulse-rnn clock listener:', err);
