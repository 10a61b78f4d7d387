/**
 * De-jitters incoming clock pulses and estimates their period: a least-squares line through
 * the last `window` pulses (time = a + period × index), with a gate that keeps single late or
 * early pulses out of the line and notices a real tempo change within a few pulses.
 *
 * Why a line and not Ardour's delay-locked loop: a 2nd-order DLL has one bandwidth. Ardour's
 * is narrow: on a steady tempo it smooths ±2 ms of jitter better than this (p99 0.6 ms against
 * 1.2 ms here, bench/timing.ts), but after a jump from 90 to 150 BPM it needs about 9 beats to
 * be within 1%. Widened to follow within a beat, it passes the jitter on to the tempo. The line
 * through one beat (24 pulses) still halves the jitter (its endpoint's error is about 2/√n of a
 * pulse's), and on a jump the gate restarts it from the pulses after the change, so it is
 * within 1% about 9 pulses later (at most 17 in 500 trials).
 *
 * The gate: a pulse further from the line than `max(tolerance, period / 4)` is a suspect and
 * stays out of the fit. The next pulse back on the line clears it (a single late pulse is
 * ignored). Three suspects in a row on the same side are a change: the fit restarts from them
 * (and the last good pulse, when it lies on their line, as it does at a tempo jump). Three in a
 * row on both sides is jitter wider than the tolerance: they join the fit. Three in a row with
 * next to no time between them (or a third of the period or less, or three times it or more)
 * are a burst of held-up pulses, left out like a single late one, unless another run of
 * suspects follows at once (then the tempo really did change that much). A change too small
 * for the gate shows as a drift, six pulses in a row on one side of the line each further than
 * half the tolerance (±2 ms of jitter very rarely does that): the fit keeps only those and the
 * one before them.
 *
 * @example
 * import { PulseFit } from './pulse-fit.js';
 * const fit = new PulseFit();
 * for (let i = 0; i < 48; i++) fit.add(i / 48 + (Math.random() - 0.5) * 0.004); // 120 BPM ± 2 ms
 * fit.bpm;           // ≈ 120
 * fit.add(1.0);      // returns the de-jittered time of that pulse, ≈ 1.0
 */
import { PPQN } from './clock.js';

export interface PulseFitOptions {
  /** Pulses in the line (default 24: one beat). */
  window?: number;
  /** Distance from the line below which a pulse is never a suspect, seconds (default 0.004). */
  tolerance?: number;
}

/** Fewer good pulses than this and the line is not trusted to judge the next one. */
const MIN_GATED = 8;
const SUSPECTS_FOR_CHANGE = 3;
const DRIFT_RUN = 6;

export class PulseFit {
  readonly window: number;
  readonly tolerance: number;
  // the fit's points as a ring: pulse index and time, relative to (k0, t0) for precision
  private readonly ks: Float64Array;
  private readonly ts: Float64Array;
  private start = 0;
  private n = 0;
  private k0 = 0;
  private t0 = 0;
  private count = 0; // pulses added since reset; the index of the next one
  private slope = NaN; // seconds per pulse
  private intercept = 0; // time of index k0, relative to t0
  private lastGood = -1; // ring slot of the last accepted pulse
  private readonly suspectK = new Float64Array(SUSPECTS_FOR_CHANGE);
  private readonly suspectT = new Float64Array(SUSPECTS_FOR_CHANGE);
  private suspects = 0;
  private restarts = 0;
  private drift = 0;
  private bursts = 0;
  private driftSide = 0;

  constructor(options: PulseFitOptions = {}) {
    const { window = 24, tolerance = 0.004 } = options;
    if (!(Number.isInteger(window) && window >= 4 && window <= 4096)) throw new RangeError(`window must be an integer in [4, 4096], got ${window}`);
    if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);
    this.window = window;
    this.tolerance = tolerance;
    this.ks = new Float64Array(window);
    this.ts = new Float64Array(window);
  }

  /** Forget everything (after a dropout). */
  reset(): void {
    this.n = 0;
    this.start = 0;
    this.count = 0;
    this.slope = NaN;
    this.suspects = 0;
    this.lastGood = -1;
    this.drift = 0;
    this.bursts = 0;
  }

  /** Seconds per pulse, or NaN before two pulses. */
  get period(): number {
    return this.slope;
  }

  get bpm(): number {
    return 60 / (this.slope * PPQN);
  }

  /** Pulses in the line now. */
  get size(): number {
    return this.n;
  }

  /** Times the gate saw a tempo change and restarted the line. */
  get changes(): number {
    return this.restarts;
  }

  /** Add a pulse at raw time `t` (seconds); returns its de-jittered time. */
  add(t: number): number {
    const k = this.count++;
    if (this.n === 0) {
      this.k0 = k;
      this.t0 = t;
    }
    if (this.n < MIN_GATED) {
      this.push(k, t);
      this.refit();
      return this.n < 3 ? t : this.at(k);
    }
    const predicted = this.at(k);
    const residual = t - predicted;
    if (Math.abs(residual) <= Math.max(this.tolerance, this.slope / 4)) {
      this.suspects = 0;
      this.bursts = 0;
      this.push(k, t);
      // a drift: pulses on one side of the line, each further than jitter alone puts them
      // (half the tolerance), is a tempo change too small for the gate; keep only those
      if (Math.abs(residual) > this.tolerance / 2) {
        const side = Math.sign(residual);
        this.drift = side === this.driftSide ? this.drift + 1 : 1;
        this.driftSide = side;
      } else this.drift = 0;
      if (this.drift === DRIFT_RUN && this.n > DRIFT_RUN + 1) {
        this.start = (this.start + this.n - (DRIFT_RUN + 1)) % this.window;
        this.n = DRIFT_RUN + 1;
        this.drift = 0;
        this.restarts++;
      }
      this.refit();
      return this.at(k);
    }
    this.suspectK[this.suspects] = k;
    this.suspectT[this.suspects] = t;
    this.suspects++;
    if (this.suspects === SUSPECTS_FOR_CHANGE) this.settle();
    // a pulse off the line: if early, the tempo may have changed and it is the best time we
    // have; if late, the line's time is when it should have been (it is in the past either way)
    return Math.min(t, predicted);
  }

  /** Three suspects in a row: a change of tempo (restart the line from them) or wide jitter. */
  private settle(): void {
    const sides = Math.sign(this.suspectT[0] - this.at(this.suspectK[0]));
    let same = true;
    for (let i = 1; i < SUSPECTS_FOR_CHANGE; i++) if (Math.sign(this.suspectT[i] - this.at(this.suspectK[i])) !== sides) same = false;
    const m = SUSPECTS_FOR_CHANGE;
    // their own spacing: a burst (pulses held up, then delivered together) has next to none,
    // and more than a 3× change of tempo from one pulse to the next is not a tempo change
    const spacing = (this.suspectT[m - 1] - this.suspectT[0]) / (this.suspectK[m - 1] - this.suspectK[0]);
    const plausible = spacing > this.slope / 3 && spacing < this.slope * 3;
    if (same && !plausible && this.bursts < 1) {
      this.bursts++; // left out, as single late pulses are; a second run in a row is believed
      this.suspects = 0;
      return;
    }
    this.bursts = 0;
    if (same) {
      const goodK = this.ks[this.lastGood] + this.k0;
      const goodT = this.ts[this.lastGood] + this.t0;
      this.n = 0;
      this.start = 0;
      this.k0 = this.suspectK[0];
      this.t0 = this.suspectT[0];
      for (let i = 0; i < m; i++) this.push(this.suspectK[i], this.suspectT[i]);
      this.refit();
      // the last good pulse is where the old line meets the new one at a tempo jump; after a
      // jump in phase it is not on the new line and stays out
      if (Math.abs(goodT - this.at(goodK)) <= Math.max(this.tolerance, this.slope / 4)) {
        const ks = [goodK, ...this.suspectK];
        const ts = [goodT, ...this.suspectT];
        this.n = 0;
        this.start = 0;
        this.k0 = goodK;
        this.t0 = goodT;
        for (let i = 0; i < ks.length; i++) this.push(ks[i], ts[i]);
        this.refit();
      }
      this.restarts++;
    } else {
      for (let i = 0; i < m; i++) this.push(this.suspectK[i], this.suspectT[i]);
      this.refit();
    }
    this.suspects = 0;
  }

  private push(k: number, t: number): void {
    let slot: number;
    if (this.n < this.window) slot = (this.start + this.n++) % this.window;
    else {
      slot = this.start; // full: the oldest pulse makes room
      this.start = (this.start + 1) % this.window;
    }
    this.ks[slot] = k - this.k0;
    this.ts[slot] = t - this.t0;
    this.lastGood = slot;
  }

  private refit(): void {
    const n = this.n;
    const w = this.window;
    if (n < 2) {
      this.slope = NaN;
      this.intercept = n === 1 ? this.ts[this.start] : 0;
      return;
    }
    let sk = 0;
    let st = 0;
    for (let i = 0; i < n; i++) {
      const j = (this.start + i) % w;
      sk += this.ks[j];
      st += this.ts[j];
    }
    const mk = sk / n;
    const mt = st / n;
    let skk = 0;
    let skt = 0;
    for (let i = 0; i < n; i++) {
      const j = (this.start + i) % w;
      const dk = this.ks[j] - mk;
      skk += dk * dk;
      skt += dk * (this.ts[j] - mt);
    }
    this.slope = skt / skk;
    this.intercept = mt - this.slope * mk;
  }

  /** The line's time of pulse index `k`. */
  private at(k: number): number {
    return this.t0 + this.intercept + this.slope * (k - this.k0);
  }
}
