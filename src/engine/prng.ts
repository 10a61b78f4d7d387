/**
 * A small seeded random number generator: xoshiro128** seeded through splitmix32.
 *
 * Integer-only (32-bit adds, shifts, `Math.imul`), so every JS host produces the same
 * stream from the same seed: Node, browsers, AudioWorklets and Max.
 *
 * @example
 * const rng = new Rng(42);
 * rng.next();       // a uniform float in [0, 1)
 * const saved = rng.getState();
 * rng.next(); rng.setState(saved); // the same number again
 */
export class Rng {
  private readonly s = new Uint32Array(4);
  private readonly r = new Uint32Array(1);

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restart the stream from `seed` (any number; its low 32 bits are used). */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads a small seed over the whole state, never all zero
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    this.advance();
    return this.r[0];
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  next(): number {
    this.advance();
    return this.r[0] / 4294967296;
  }

  /**
   * `next()` written into `out[i]`. A real-time step calls this: a 32-bit result returned
   * from a call that is not inlined is boxed on the heap, a value stored in a typed array is not.
   */
  nextInto(out: Float64Array, i: number): void {
    this.advance();
    out[i] = this.r[0] / 4294967296;
  }

  // xoshiro128**: the output goes to `r`, the state moves on
  private advance(): void {
    const s = this.s;
    this.r[0] = Math.imul(rotl(Math.imul(s[1], 5), 7), 9);
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  getState(out: Uint32Array = new Uint32Array(4)): Uint32Array {
    out.set(this.s);
    return out;
  }

  setState(state: ArrayLike<number>): void {
    if (state.length !== 4) throw new Error(`Rng state needs 4 words, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
