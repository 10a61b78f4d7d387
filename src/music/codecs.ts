/** Every built-in codec, registered; import `codecFor` from here. */
import './drum-grid.js';
import './drummer-events.js';

export { codecFor } from './codec.js';
export type { Codec } from './codec.js';
