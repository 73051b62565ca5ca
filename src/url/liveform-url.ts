// Encrypted Liveform URL parameters (docs/url-encryption.md): pure functions, no I/O.
//   encrypted = TAG "." KEYID "." base64url(DATA)
//   TAG "gcm": DATA = IV (12 random bytes) · AES-256-GCM ciphertext · tag (16); AAD = ASCII "gcm.KEYID"
//   TAG "ecb": DATA = AES-256-ECB ciphertext with PKCS#7 padding (weaker: no IV, no integrity)
// The plaintext is the UTF-8 JSON object of the parameters, every value a string. KEYID names the
// key (its fingerprint's 12 hex digits), so URLs made before a rotation still find their key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { UrlMethod } from '../keys/accepted-methods.js';

export const DEFAULT_LIVEFORM_BASE = 'https://form.argosidentity.com/';
export const MAX_ENCRYPTED_LENGTH = 8192;
const TAGS: Record<UrlMethod, string> = { GCM: 'gcm', ECB: 'ecb' };
const FORMAT = /^(gcm|ecb)\.([0-9a-f]{12})\.([A-Za-z0-9_-]+)$/;

export type UrlErrorCode =
  | 'encrypted_invalid'
  | 'encrypted_unknown_key'
  | 'encrypted_tampered'
  | 'encrypted_method_not_accepted';
export const URL_ERROR_CODES: readonly UrlErrorCode[] = [
  'encrypted_invalid',
  'encrypted_unknown_key',
  'encrypted_tampered',
  'encrypted_method_not_accepted',
];

export class UrlError extends Error {
  constructor(
    readonly code: UrlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UrlError';
  }
}

export interface UrlKey {
  keyId: string;
  material: Buffer;
}

export type Params = Record<string, string>;

/** The `encrypted` value for these parameters. `iv` is random unless given (test vectors). */
export function encryptParams(params: Params, key: UrlKey, method: UrlMethod, iv: Buffer = randomBytes(12)): string {
  const plaintext = Buffer.from(JSON.stringify(params), 'utf8');
  const tag = TAGS[method];
  if (method === 'ECB') {
    const cipher = createCipheriv('aes-256-ecb', key.material, null);
    return `${tag}.${key.keyId}.${Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64url')}`;
  }
  const cipher = createCipheriv('aes-256-gcm', key.material, iv);
  cipher.setAAD(Buffer.from(`${tag}.${key.keyId}`, 'ascii'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${tag}.${key.keyId}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

export interface ParsedEncrypted {
  method: UrlMethod;
  keyId: string;
  data: Buffer;
}

export function parseEncrypted(value: string): ParsedEncrypted {
  if (value.length > MAX_ENCRYPTED_LENGTH)
    throw new UrlError('encrypted_invalid', `"encrypted" is longer than ${MAX_ENCRYPTED_LENGTH} characters`);
  const m = FORMAT.exec(value);
  if (!m)
    throw new UrlError(
      'encrypted_invalid',
      '"encrypted" is not METHOD.KEYID.DATA (gcm or ecb, 12 hex digits, base64url)',
    );
  const data = Buffer.from(m[3], 'base64url');
  // One spelling per payload: the decoder ignores a lone trailing character and the unused low bits of
  // the last one, so other spellings of the same bytes would open too, each a "new" URL to private
  // mode, which tells URLs apart by their text (url-identity.ts).
  if (data.toString('base64url') !== m[3])
    throw new UrlError(
      'encrypted_invalid',
      '"encrypted" is not canonical base64url (a character was altered or added)',
    );
  return { method: m[1] === 'gcm' ? 'GCM' : 'ECB', keyId: m[2], data };
}

function decrypt(p: ParsedEncrypted, material: Buffer): Buffer {
  if (p.method === 'ECB') {
    if (p.data.length === 0 || p.data.length % 16)
      throw new UrlError('encrypted_invalid', 'ECB data is not whole 16-byte blocks');
    const decipher = createDecipheriv('aes-256-ecb', material, null);
    try {
      return Buffer.concat([decipher.update(p.data), decipher.final()]);
    } catch {
      throw new UrlError(
        'encrypted_invalid',
        'ECB data does not decrypt to valid PKCS#7 padding (wrong key, or altered)',
      );
    }
  }
  if (p.data.length < 12 + 16 + 2) throw new UrlError('encrypted_invalid', 'GCM data is shorter than IV, tag and "{}"');
  const decipher = createDecipheriv('aes-256-gcm', material, p.data.subarray(0, 12));
  decipher.setAAD(Buffer.from(`gcm.${p.keyId}`, 'ascii'));
  decipher.setAuthTag(p.data.subarray(p.data.length - 16));
  try {
    return Buffer.concat([decipher.update(p.data.subarray(12, p.data.length - 16)), decipher.final()]);
  } catch {
    throw new UrlError(
      'encrypted_tampered',
      'the GCM tag does not match: the URL was altered, or made with other key material',
    );
  }
}

function paramsOf(plaintext: Buffer): Params {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new UrlError('encrypted_invalid', 'the decrypted parameters are not UTF-8 JSON');
  }
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw new UrlError('encrypted_invalid', 'the decrypted parameters are not a JSON object of strings');
  }
  return value as Params;
}

/** Opens `encrypted` with whichever of `keys` its key id names, if its method is accepted. */
export function decryptParams<K extends UrlKey>(
  value: string,
  keys: readonly K[],
  accepted: readonly UrlMethod[],
): { params: Params; key: K; method: UrlMethod } {
  const parsed = parseEncrypted(value);
  if (!accepted.includes(parsed.method)) {
    throw new UrlError(
      'encrypted_method_not_accepted',
      `${parsed.method} is not accepted by this project (accepted: ${accepted.join(', ')})`,
    );
  }
  const key = keys.find((k) => k.keyId === parsed.keyId);
  if (!key)
    throw new UrlError(
      'encrypted_unknown_key',
      `key id ${parsed.keyId} is not a key that opens URLs now (unknown, or retired past its grace period)`,
    );
  return { params: paramsOf(decrypt(parsed, key.material)), key, method: parsed.method };
}

/** The Liveform URL: `BASE?pid=…&encrypted=…[&lang=…]`, every value URL-encoded. */
export function buildLiveformUrl(base: string, pid: string, encrypted: string, lang?: string): string {
  const url = new URL(base);
  url.searchParams.set('pid', pid);
  url.searchParams.set('encrypted', encrypted);
  if (lang) url.searchParams.set('lang', lang);
  return url.toString();
}

/** The query parameters of a Liveform URL (a bad URL is `encrypted_invalid`'s cousin: a plain error). */
export function liveformUrlParams(text: string): Params {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlError('encrypted_invalid', 'not a URL');
  }
  return Object.fromEntries(url.searchParams);
}
