/** Every built-in codec, registered; import `codecFor` from here. */
import './drum-grid.js';
import './drummer-events.js';
import './expressive-grid.js';
import './melody-grid.js';
import './note-events.js';
import './piano-roll-codec.js';

export { codecFor } from './codec.js';
export type { Codec, InputContext, NoteTarget, PlayOptions, PlayState } from './codec.js';
