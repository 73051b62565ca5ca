// A parsed document seen as the current manifest version, its positions still where the file wrote them.
import type { ParsedDocument } from '../read/yaml-position.js';
import { upgradedView } from '../read/yaml-position.js';
import { sourcePathMapper, upgradeValue, versionOf } from './registry.js';

/**
 * The document as the current manifest version: unchanged when it is current, else its value
 * upgraded step by step and its positions looked up where the older file wrote them.
 */
export function inCurrentVersion(parsed: ParsedDocument): ParsedDocument {
  const mapper = sourcePathMapper(versionOf(parsed.value));
  return mapper ? upgradedView(parsed, upgradeValue(parsed.value, versionOf(parsed.value)), mapper) : parsed;
}
