// A public key's name for people and for the envelope's `kid`: SHA-256 of the key's SPKI DER,
// written as OpenSSH writes fingerprints (`SHA256:` and base64 without padding). Computed from
// the DER, not the PEM text, so the same key always has the same fingerprint however it was wrapped.
// Plans, comments and JSON documents show a public key only this way, never as its PEM.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export function keyFingerprint(key: KeyObject | string): string {
  const object = typeof key === 'string' || key.type === 'private' ? createPublicKey(key) : key;
  const der = object.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

export function isPem(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('-----BEGIN ');
}

const MAX_CACHED = 1024;
const labels = new Map<string, string>();

/**
 * What output shows for PEM text: the key's fingerprint; for text that is not a readable public key
 * (never expected: validation and the database's check keep it out), a hash of the text, never the text.
 */
export function pemLabel(pem: string): string {
  let label = labels.get(pem);
  if (label) return label;
  try {
    label = /PRIVATE/.test(pem) ? 'private key withheld' : keyFingerprint(pem);
  } catch {
    label = `unreadable PEM sha256:${createHash('sha256').update(pem).digest('hex').slice(0, 16)}`;
  }
  if (labels.size >= MAX_CACHED) labels.clear();
  labels.set(pem, label);
  return label;
}

/** A JSON.stringify replacer: every PEM value written as its label. */
export function pemAsFingerprint(_key: string, value: unknown): unknown {
  return isPem(value) ? pemLabel(value) : value;
}

/** A JSON value with every PEM replaced by its label: what a saved plan file holds, to compare with. */
export function withPemsAsFingerprints<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, pemAsFingerprint)) as T;
}
