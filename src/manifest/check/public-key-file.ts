// The one file a manifest names: spec.security.secureTransmission.publicKey. Read once, with the
// same rules as manifests (relative to the manifest, inside the root, a small regular file), and
// never quoted: a problem names the path as written, not what the file holds.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { quote } from '../excerpt.js';
import { readInsideRoot, type FolderRealPaths } from '../read/safe-read.js';
import { ALLOWED_TRANSMISSION_KEYS, checkTransmissionKey } from '../../transmit/transmission-key.js';

export const MAX_PUBLIC_KEY_BYTES = 16 * 1024;

export type PublicKeyFile =
  /** sha256: of the file's bytes, so a skipped manifest notices a changed key (src/manifest/read/source-key.ts). */
  | { ok: true; spki: string; sha256: string }
  | { ok: false; rule: string; message: string; allowed: string; hint?: string };

const ALLOWED =
  'a PEM public key file (-----BEGIN PUBLIC KEY-----) inside the manifest root, relative to the manifest; never a private key';

/**
 * Reads and canonicalizes (SPKI PEM, so equal keys compare equal) the key named by `written`;
 * `folders`: the listing's real paths, so reading the key costs no realpath of its own.
 */
export function readPublicKeyFile(
  root: string,
  manifestFull: string,
  written: string,
  folders?: FolderRealPaths,
): PublicKeyFile {
  const shown = `public key file ${quote(written)}`;
  if (path.isAbsolute(written)) {
    return {
      ok: false,
      rule: 'secure-transmission.public-key',
      message: `${shown} is an absolute path`,
      allowed: ALLOWED,
    };
  }
  const full = path.resolve(path.dirname(manifestFull), written);
  const readKey = `${root}\0${full}`;
  let read = folders?.otherReads.get(readKey);
  if (!read) {
    read = readInsideRoot(root, full, MAX_PUBLIC_KEY_BYTES, folders);
    folders?.otherReads.set(readKey, read);
  }
  // Kept with the listing as the skip path keeps them (source-key.ts): validate's memo hashes them again.
  if (!read.ok) {
    folders?.readDigests.set(full, null);
    const allowed = read.rule === 'files.too-large' ? `at most ${MAX_PUBLIC_KEY_BYTES} bytes; ${ALLOWED}` : ALLOWED;
    return { ok: false, rule: 'secure-transmission.public-key', message: `${shown} ${read.problem}`, allowed };
  }
  const sha256 = createHash('sha256').update(read.bytes).digest('hex');
  folders?.readDigests.set(full, sha256);
  const key = keyOf(sha256, read.bytes);
  if (key.kind === 'private') {
    return {
      ok: false,
      rule: 'secure-transmission.private-key',
      message: `${quote(written)} holds a PRIVATE key; it must never be in the repository`,
      allowed: 'the public half only (openssl pkey -in key.pem -pubout)',
      hint: 'remove the file from git and its history, and issue a new key pair',
    };
  }
  if (key.kind === 'not-pem') {
    return {
      ok: false,
      rule: 'secure-transmission.public-key',
      message: `${shown} is not a PEM public key`,
      allowed: ALLOWED,
    };
  }
  // Only keys every sealer can use (src/transmit): a weak or unsupported key fails here, not at the first response.
  if (key.kind === 'unusable') {
    return {
      ok: false,
      rule: 'secure-transmission.key-type',
      message: `${shown} holds ${key.found}`,
      allowed: ALLOWED_TRANSMISSION_KEYS,
      hint: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem; openssl pkey -in key.pem -pubout',
    };
  }
  return { ok: true, spki: key.spki, sha256 };
}

type KeyVerdict =
  | { kind: 'private' }
  | { kind: 'not-pem' }
  | { kind: 'unusable'; found: string }
  | { kind: 'usable'; spki: string };

// Many manifests name one key file (a folder's shared key): its bytes are parsed once per run, not
// once per manifest. Keyed by the bytes' sha256; bounded, so a run of many distinct keys keeps few.
const verdicts = new Map<string, KeyVerdict>();
const MAX_VERDICTS = 256;

function keyOf(sha256: string, bytes: Buffer): KeyVerdict {
  const known = verdicts.get(sha256);
  if (known) return known;
  const verdict = judgeKey(bytes.toString('utf8'));
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(sha256, verdict);
  return verdict;
}

function judgeKey(pem: string): KeyVerdict {
  if (/PRIVATE KEY/.test(pem)) return { kind: 'private' };
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return { kind: 'not-pem' };
  }
  const kind = checkTransmissionKey(key);
  if (!kind.ok) return { kind: 'unusable', found: kind.found };
  return { kind: 'usable', spki: String(key.export({ type: 'spki', format: 'pem' })).trim() };
}
