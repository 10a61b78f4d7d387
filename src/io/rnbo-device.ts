/**
 * Loading an RNBO web export (`patch.export.json`) into an @rnbo/js device, with errors a user
 * can act on: a file that is not an RNBO export, an export made by another RNBO version than
 * the runtime (@rnbo/js only prints that to the console; here it comes back as a warning), and
 * a page without AudioWorklet (the ScriptProcessor fallback is one render quantum late).
 *
 * Browser only. @rnbo/js is used for its types; the runtime is the `RNBO` global that
 * `rnbo.webaudio.js` defines, or whatever is passed as `rnbo` (e.g. `import * as RNBO from '@rnbo/js'`).
 *
 * @example
 * const context = new AudioContext();
 * const { device, warnings } = await loadRnboDevice(context, '/export/patch.export.json');
 * warnings.forEach((w) => console.warn(w));
 * device.node.connect(context.destination);
 */
import type * as Rnbo from '@rnbo/js';

/** The parts of the @rnbo/js module this project uses. */
export type RnboRuntime = Pick<typeof Rnbo, 'createDevice' | 'MIDIEvent' | 'TempoEvent' | 'version'>;

export type RnboDevice = Rnbo.Device;
export type RnboPatcher = Rnbo.IPatcher;

export interface LoadRnboOptions {
  /** The @rnbo/js runtime (default: the global `RNBO`). */
  rnbo?: RnboRuntime;
  /** Without AudioWorklet, fall back to a ScriptProcessor device (128 samples off) instead of failing. Default false. */
  allowScriptProcessor?: boolean;
  /** For fetching a URL (default: the global fetch). */
  fetch?: typeof fetch;
}

export interface LoadedRnboDevice {
  device: RnboDevice;
  patcher: RnboPatcher;
  /** 'worklet' or 'script'. */
  type: string;
  /** Problems that did not stop loading: a version mismatch, a ScriptProcessor fallback. */
  warnings: string[];
}

/** The runtime passed in, else the page's `RNBO` global; a clear error when there is neither. */
export function rnboRuntime(rnbo?: RnboRuntime): RnboRuntime {
  const r = rnbo ?? (globalThis as { RNBO?: RnboRuntime }).RNBO;
  if (!r || typeof r.createDevice !== 'function') {
    throw new Error('no @rnbo/js runtime: load rnbo.webaudio.js (it defines the global RNBO) or pass { rnbo } (import * as RNBO from "@rnbo/js")');
  }
  return r;
}

/** Fetch (for a URL) and check an RNBO web export. */
export async function readRnboPatcher(patch: RnboPatcher | string | URL, fetchImpl: typeof fetch | undefined = globalThis.fetch): Promise<RnboPatcher> {
  if (typeof patch !== 'string' && !(patch instanceof URL)) return checkRnboPatcher(patch, 'the patcher object');
  const url = String(patch);
  if (!fetchImpl) throw new Error(`cannot fetch ${url}: no fetch in this environment`);
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new Error(`cannot fetch the RNBO export ${url}: ${e instanceof Error ? e.message : String(e)} (pages opened from file:// cannot fetch; serve them over http(s))`);
  }
  if (!res.ok) throw new Error(`cannot fetch the RNBO export ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${url} is not an RNBO export: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return checkRnboPatcher(json, url);
}

/** Throws unless `json` looks like what RNBO's Web Export target writes (`desc` with `meta`, non-empty `src`). */
export function checkRnboPatcher(json: unknown, source: string): RnboPatcher {
  const what = 'expected the patch.export.json written by RNBO\'s "Web Export" target';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${source} is not an RNBO export: not a JSON object (${what})`);
  const o = json as Record<string, unknown>;
  const missing = ['desc', 'src'].filter((k) => !(k in o));
  if (missing.length) throw new Error(`${source} is not an RNBO export: no ${missing.map((k) => `"${k}"`).join(' or ')} (${what}; it has ${Object.keys(o).slice(0, 8).map((k) => `"${k}"`).join(', ') || 'no keys'})`);
  if (typeof o.desc !== 'object' || o.desc === null) throw new Error(`${source} is not an RNBO export: "desc" is not an object (${what})`);
  if (!Array.isArray(o.src) || o.src.length === 0 || !o.src.every((s) => s && typeof s === 'object' && typeof (s as { code?: unknown }).code === 'string')) {
    throw new Error(`${source} is not an RNBO export: "src" must be a non-empty list of { type, code } (${what})`);
  }
  return json as RnboPatcher;
}

/** The RNBO version an export was made with ('' when it does not say). */
export function exportVersion(patcher: RnboPatcher): string {
  return patcher.desc.meta?.rnboversion ?? patcher.desc.rnboVersion ?? '';
}

/** The warning @rnbo/js only prints, as a value; null when the versions match. */
export function versionWarning(patcher: RnboPatcher, runtimeVersion: string, source = 'the export'): string | null {
  const made = exportVersion(patcher);
  if (made === runtimeVersion) return null;
  return `${source} was exported with RNBO ${made || '(unknown version)'} but the runtime is @rnbo/js ${runtimeVersion}; the device may misbehave. Re-export with RNBO ${runtimeVersion} or install "@rnbo/js": "${made}" (exactly that version).`;
}

/** Whether this context can run an AudioWorklet device (what @rnbo/js checks, plus the context's own worklet). */
export function haveAudioWorklet(context: BaseAudioContext): boolean {
  const g = globalThis as { isSecureContext?: boolean; AudioWorkletNode?: unknown };
  return g.isSecureContext === true && typeof g.AudioWorkletNode !== 'undefined' && !!(context as { audioWorklet?: unknown }).audioWorklet;
}

/**
 * Create a device from an export object or its URL. Does not connect the device: connect
 * `device.node` where it should sound (the paffer export peaks above 1 on chords: put a gain
 * after it).
 */
export async function loadRnboDevice(context: BaseAudioContext, patch: RnboPatcher | string | URL, options: LoadRnboOptions = {}): Promise<LoadedRnboDevice> {
  const rnbo = rnboRuntime(options.rnbo);
  const source = typeof patch === 'string' || patch instanceof URL ? String(patch) : 'the patcher object';
  const patcher = await readRnboPatcher(patch, options.fetch);
  const warnings: string[] = [];
  const mismatch = versionWarning(patcher, rnbo.version, source);
  if (mismatch) warnings.push(mismatch);
  let type: 'worklet' | 'script' = 'worklet';
  if (!haveAudioWorklet(context)) {
    const why = `AudioWorklet is not available here (it needs a secure context: https, localhost or 127.0.0.1, and a browser that has it; isSecureContext=${String((globalThis as { isSecureContext?: boolean }).isSecureContext)})`;
    if (!options.allowScriptProcessor) throw new Error(`cannot create the RNBO device from ${source}: ${why}. Pass { allowScriptProcessor: true } to use the ScriptProcessor fallback, which plays events one render quantum (128 samples) off.`);
    warnings.push(`${why}; using a ScriptProcessor device, which plays events one render quantum (128 samples) off`);
    type = 'script';
  }
  let device: RnboDevice;
  try {
    // createDevice is typed for AudioContext; an OfflineAudioContext works the same (see the paffer fixture notes).
    device = await rnbo.createDevice({ context: context as unknown as AudioContext, patcher, type: type as Rnbo.DeviceType });
  } catch (e) {
    throw new Error(`cannot create the RNBO device from ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { device, patcher, type, warnings };
}
