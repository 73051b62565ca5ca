// Every `--format json` document: one object whose first key is `formatVersion`, so a consumer can
// refuse a version it does not know. The shape of each kind is published under schemas/output/.
// A public key appears only as its fingerprint (src/transmit/fingerprint.ts), never as PEM text.
import { pemAsFingerprint } from '../transmit/fingerprint.js';

export const OUTPUT_FORMAT_VERSION = 1;

export function jsonDocument(body: object): string {
  return JSON.stringify({ formatVersion: OUTPUT_FORMAT_VERSION, ...body }, pemAsFingerprint, 2) + '\n';
}
