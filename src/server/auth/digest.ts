// Secrets (session ids, API tokens) are stored only as SHA-256 digests; they are long and random, so no salt is needed.
import { createHash, randomBytes } from 'node:crypto';

export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
