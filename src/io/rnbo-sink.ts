/**
 * Notes into an @rnbo/js device as `MIDIEvent`s scheduled at the device context's
 * milliseconds, so a note lands on its sample whatever the callback jitter. The clock's
 * timebase is the AudioContext's `currentTime` (seconds). Browser only.
 *
 * @example
 * const context = new AudioContext();
 * const { device } = await loadRnboDevice(context, 'export/patch.export.json');
 * device.node.connect(context.destination);
 * const sink = new RnboSink(device, { transport: true }); // runtime: the page's RNBO global
 * const t = context.currentTime + 0.1;
 * sink.tempo(120, t);
 * sink.noteOn(60, 100, 0, t, 0.25);
 * await sink.flush(); // in an OfflineAudioContext: before startRendering()
 */
import { MidiVoices, checkNote } from './midi-voices.js';
import { rnboRuntime, type RnboDevice, type RnboRuntime } from './rnbo-device.js';
import type { NoteSink } from './sink.js';

export interface RnboSinkOptions {
  /** The runtime whose `MIDIEvent`/`TempoEvent` classes to use (default: the global `RNBO`). */
  rnbo?: Pick<RnboRuntime, 'MIDIEvent' | 'TempoEvent'>;
  /** The device's MIDI input port (default 0). */
  port?: number;
  /** Send `tempo` calls to the device's transport as TempoEvents (default false). */
  transport?: boolean;
  /** Send CC 123 on the channels used, after the note-offs of allNotesOff (default true). */
  allNotesOffCC?: boolean;
}

export class RnboSink implements NoteSink {
  private readonly voices: MidiVoices;
  private readonly rnbo: Pick<RnboRuntime, 'MIDIEvent' | 'TempoEvent'>;
  private readonly transport: boolean;
  private closed = false;

  constructor(
    readonly device: RnboDevice,
    options: RnboSinkOptions = {},
  ) {
    this.rnbo = options.rnbo ?? rnboRuntime();
    if (typeof this.rnbo.MIDIEvent !== 'function') throw new Error('the RNBO runtime passed has no MIDIEvent class');
    const port = options.port ?? 0;
    this.transport = options.transport ?? false;
    const { MIDIEvent } = this.rnbo;
    this.voices = new MidiVoices((bytes, ms) => device.scheduleEvent(new MIDIEvent(ms, port, bytes as [number, number, number])), {
      now: () => device.context.currentTime * 1000,
      // Every note-off goes out with its note-on: offline, the context's time does not run
      // until rendering, so nothing held back here could ever be sent.
      holdBeyond: Infinity,
      // The device keeps events of equal time in the order they were scheduled, so no lead is needed.
      releaseLead: 0,
      allNotesOffCC: options.allNotesOffCC ?? true,
    });
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.open();
    checkNote(note, velocity, channel, time);
    const off = duration === Infinity ? Infinity : (time + Math.max(0, duration)) * 1000;
    this.voices.noteOn(note, velocity, channel, time * 1000, off);
  }

  noteOff(note: number, channel: number, time: number): void {
    this.open();
    checkNote(note, 0, channel, time);
    this.voices.noteOff(note, channel, time * 1000);
  }

  allNotesOff(time?: number): void {
    if (this.closed) return;
    this.voices.allNotesOff(time === undefined ? undefined : time * 1000);
  }

  tempo(bpm: number, time: number): void {
    this.open();
    if (!this.transport) return;
    if (!(bpm > 0 && Number.isFinite(bpm))) throw new RangeError(`tempo ${bpm} BPM is not a positive number`);
    this.device.scheduleEvent(new this.rnbo.TempoEvent(time * 1000, bpm));
  }

  /**
   * Resolves once every event scheduled so far has reached the device. The worklet device
   * receives events over a message port that an offline render does not wait for: without
   * this, only the first event arrived in the fixture's tests. `getPreset()` goes through the
   * same port in order, so its answer means everything before it is there.
   */
  async flush(): Promise<void> {
    await this.device.getPreset();
  }

  /** Ends every note now. The device stays usable: it belongs to whoever created it. */
  close(): void {
    if (this.closed) return;
    this.voices.allNotesOff();
    this.closed = true;
  }

  get sounding(): number {
    return this.voices.sounding;
  }

  private open(): void {
    if (this.closed) throw new Error('RnboSink is closed');
  }
}
