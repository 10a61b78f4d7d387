/**
 * Weights shards named by their content, so a new shard never overwrites the one model.json
 * names (written with `writeAtomic` from io/atomic-file.ts).
 *
 * @example
 * const shard = contentName(bytes); // 'weights-3f2a9c1b7d04.bin'
 */
import { createHash } from 'node:crypto';

/** A weights shard's file name, from its bytes. */
export const contentName = (bytes: Uint8Array): string => `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.bin`;

/** A name `contentName` gives. */
export const SHARD_NAME = /^weights-[0-9a-f]{12}\.bin$/;
