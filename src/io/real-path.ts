/**
 * A path as a run records it: the same folder or file by any spelling or link is the same,
 * and a path that does not exist yet is made absolute.
 *
 * @example
 * realOrResolved('./weights/../weights/drums-gmd'); // '/home/me/pulse-rnn/weights/drums-gmd'
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

export const realOrResolved = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));
