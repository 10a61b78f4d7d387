/**
 * Two threads on one gemm kernel: a worker thread with its own instance of the kernel's module
 * on the same shared memory takes half of each job (half the panels of a product, half the
 * batch rows of an LSTM window) while the calling thread does the other half. Jobs are
 * handed over through a shared control block with Atomics, so a hand-over costs microseconds,
 * not a message round trip. Node only (worker_threads).
 *
 * @example
 * const team = GemmTeam.create(gemm);           // null on a one-core machine
 * team?.run('gemm_blocked', [a, lda, 4, pb, c, ldc, m, k, P, 0, P / 2], [a, lda, 4, pb, c, ldc, m, k, P, P / 2, P]);
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Gemm, GemmExports } from './gemm.js';

/** Jobs a worker runs: exports of gemm.wat that only write memory they are given. */
const JOBS = ['gemm_blocked', 'lstm_forward_seq', 'lstm_backward_seq', 'gru_forward_seq', 'gru_backward_seq'] as const;
export type Job = (typeof JOBS)[number];

// control block (int32 slots): the job's sequence number, job index, argument count,
// arguments; then the sequence number of the last job done and its outcome
const SEQ = 0;
const JOB = 1;
const ARGC = 2;
const ARGS = 3;
const MAX_ARGS = 16;
const DONE = ARGS + MAX_ARGS;
const FAILED = DONE + 1;
const SLOTS = FAILED + 1;
/** A worker that takes longer than this on its half of one job is stuck, not slow. */
const TIMEOUT_MS = 120_000;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const ex = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
const ctrl = new Int32Array(workerData.ctrl);
const jobs = workerData.jobs;
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  const job = ctrl[${JOB}];
  if (job < 0) break;
  let failed = 0;
  try {
    ex[jobs[job]](...Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}])));
  } catch (e) {
    failed = 1;
  }
  ctrl[${FAILED}] = failed;
  Atomics.store(ctrl, ${DONE}, seen);
  Atomics.notify(ctrl, ${DONE});
}
`;

export class GemmTeam {
  private readonly ctrl: Int32Array;
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly fns: GemmExports,
    private readonly worker: Worker,
    ctrl: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrl);
  }

  /** A team on `gemm`'s memory, or null when this machine has one core (or no worker threads). */
  static create(gemm: Gemm, threads = availableParallelism()): GemmTeam | null {
    if (threads < 2) return null;
    const ctrl = new SharedArrayBuffer(SLOTS * 4);
    const { module, memory } = gemm.share();
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctrl, jobs: JOBS } });
      // an idle worker must not keep a finished training run alive
      worker.unref();
      return new GemmTeam(gemm.raw, worker, ctrl);
    } catch {
      return null;
    }
  }

  /** Run `job` with `mine` here and `theirs` on the worker at the same time; returns when both are done. */
  run(job: Job, mine: readonly number[], theirs: readonly number[]): void {
    if (this.closed) throw new Error('gemm team: closed');
    if (theirs.length > MAX_ARGS) throw new Error(`gemm team: ${job} takes at most ${MAX_ARGS} arguments`);
    const c = this.ctrl;
    const seq = ++this.seq;
    c[JOB] = JOBS.indexOf(job);
    c[ARGC] = theirs.length;
    for (let i = 0; i < theirs.length; i++) c[ARGS + i] = theirs[i];
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    (this.fns[job] as (...a: number[]) => void)(...mine);
    const start = Date.now();
    for (let done = Atomics.load(c, DONE); done !== seq; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, 1000) === 'timed-out' && Date.now() - start > TIMEOUT_MS) {
        this.close();
        throw new Error(`gemm team: the worker did not finish ${job} within ${TIMEOUT_MS / 1000} s`);
      }
    }
    if (c[FAILED]) throw new Error(`gemm team: the worker failed in ${job}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctrl[JOB] = -1;
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    void this.worker.terminate();
  }
}
