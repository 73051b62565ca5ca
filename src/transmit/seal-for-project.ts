// The one call the service makes (responses, webhook bodies): seal bytes for a project's stored
// public key (the canonical SPKI PEM that apply wrote). Parsed keys are kept by PEM text, a few
// hundred at most, so a busy project does not parse its key on every response.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { seal } from './seal.js';
import { TransmitError } from './transmit-error.js';

/** The content type of a sealed envelope, for responses and webhook bodies alike. */
export const SEALED_CONTENT_TYPE = 'application/vnd.argos.sealed+json';

const MAX_CACHED = 256;
const keys = new Map<string, KeyObject>();

function keyOf(publicKeyPem: string): KeyObject {
  let key = keys.get(publicKeyPem);
  if (key) return key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    throw new TransmitError(
      "the project's secure-transmission key is not a PEM public key",
      'fix spec.security.secureTransmission.publicKey and apply',
    );
  }
  if (keys.size >= MAX_CACHED) keys.clear();
  keys.set(publicKeyPem, key);
  return key;
}

/** The envelope JSON of `bytes` (a string is taken as UTF-8) for the project's public key. */
export function sealForProject(publicKeyPem: string, bytes: Buffer | string): string {
  return seal(keyOf(publicKeyPem), typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
}
