// SHA-1 of a text, as lower-case hex: ids and digests that must stay the same from release to release.
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string) => string;
/**
 * Node's one-shot crypto.hash (20.12 and later) costs about a third of createHash().update().digest(), which
 * builds a Hash object per call: the detector names every detection this way. Older Node 20 releases lack it.
 */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export const sha1Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha1', text)
  : (text) => crypto.createHash('sha1').update(text).digest('hex');
