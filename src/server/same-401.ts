// One answer for "who are you?": a project id that does not exist, a project without a key, a
// wrong key and a missing key all get the same 401 invalid_api_key with the same message, after
// the same work (the presented key is hashed and compared in constant time against as many hashes
// either way; a project that does not exist is compared against dummy hashes that match nothing).
// So neither the answer nor its time tells a caller which project ids exist.
import { randomBytes } from 'node:crypto';
import { matchingApiKey, type KeyCandidate } from '../keys/api-key.js';
import { TokenError } from '../tokens/token-errors.js';

/** Compared every time: a project has at most two valid keys (the current one and the previous one in its grace). */
const COMPARED = 2;
const DUMMY: KeyCandidate = { key_hash: randomBytes(32), valid_until: new Date(0) };

export const INVALID_API_KEY_MESSAGE =
  'the x-api-key header is missing or is not a valid key of this project (or no such project)';

export function invalidApiKey(): TokenError {
  return new TokenError('invalid_api_key', INVALID_API_KEY_MESSAGE);
}

/** True when `presented` is one of `keys` (an empty list for a project that does not exist). */
export function keyMatchesInConstantWork(
  keys: readonly KeyCandidate[],
  presented: string | undefined,
  now: Date,
): boolean {
  return matchedKeyInConstantWork(keys, presented, now) !== undefined;
}

/** The key of `keys` that `presented` is, after the same work whichever it is (or none). */
export function matchedKeyInConstantWork<K extends KeyCandidate>(
  keys: readonly K[],
  presented: string | undefined,
  now: Date,
  /** hashApiKey(presented), when the caller has it already. */
  presentedHash?: Buffer,
): K | undefined {
  const padded: KeyCandidate[] =
    keys.length >= COMPARED ? [...keys] : [...keys, ...Array(COMPARED - keys.length).fill(DUMMY)];
  // Hash and compare even when no key was sent, so a missing header costs what a wrong one does.
  const found = matchingApiKey(padded, presented || '(missing)', now, presented ? presentedHash : undefined);
  return presented && found !== DUMMY ? (found as K | undefined) : undefined;
}
