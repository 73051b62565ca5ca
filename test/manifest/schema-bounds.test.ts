// Finding 6 of issue 17: a duration of 24856d validated, planned, and then failed every apply with
// 22003 (seconds in an integer column). Every duration field of both manifest versions is bounded
// at validate now, with file:line:column and what is allowed; the schemas carry the same bound.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationFields } from '../../src/manifest/check/duration-fields.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { readSchema } from '../../src/manifest/schemas.js';
import { VERSIONS, schemaFileOf } from '../../src/manifest/versions/registry.js';
import { MAX_DURATION, MAX_DURATION_SECONDS, parseDuration } from '../../src/util/duration.js';
import { tempDir } from '../helpers/cli.js';

const INT4_MAX = 2 ** 31 - 1;

/** A manifest writing `duration` in every duration field of the schema. */
const manifest = (version: string, duration: string) => `apiVersion: ${version}
kind: Project
metadata: { id: edge, name: Edge }
spec:
  status: TEST
  authMethods:
    idDocument:
      enabled: true
      userPolicy: { approvedPeriod: ${duration}, rejectedPeriod: ${duration} }
      fraudDetection: { rateLimit: { maxSubmissions: 1000000, window: ${duration} } }
    knowledgeBased:
      enabled: true
      fraudDetection: { rateLimit: { maxSubmissions: 1, window: ${duration} } }
  liveform:
    tokens:
      preRegistration: true
      expiration: { mode: time, after: ${duration} }
  encryption:
    ${version.endsWith('v1') ? 'method: GCM' : 'methods: [GCM]'}
    retiredKeyValidFor: ${duration}
  security:
    apiKey: { rotation: 1000000, previousKeyValidFor: ${duration} }
`;

async function validate(version: string, duration: string) {
  const dir = path.join(tempDir(), 'projects');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'edge.yaml'), manifest(version, duration));
  return (await readManifests(dir)).diagnostics.filter((d) => d.severity === 'error');
}

describe('durations are bounded by what the database holds', () => {
  it('the bound fits a PostgreSQL integer of seconds, and every schema version states it', () => {
    expect(MAX_DURATION_SECONDS).toBeLessThanOrEqual(INT4_MAX);
    expect(parseDuration(MAX_DURATION)).toBe(MAX_DURATION_SECONDS);
    for (const version of VERSIONS) {
      const duration = (readSchema(schemaFileOf(version)) as { definitions: Record<string, Record<string, string>> })
        .definitions.Duration;
      expect(duration['x-maximum']).toBe(MAX_DURATION);
      expect(duration['x-allowed']).toContain(`at most ${MAX_DURATION}`);
    }
  });

  it('finds every duration field of the current schema', () => {
    expect(durationFields().map((f) => f.join('.'))).toEqual(
      expect.arrayContaining([
        'spec.authMethods.idDocument.userPolicy.approvedPeriod',
        'spec.authMethods.idDocument.userPolicy.rejectedPeriod',
        'spec.authMethods.idDocument.fraudDetection.rateLimit.window',
        'spec.authMethods.knowledgeBased.fraudDetection.rateLimit.window',
        'spec.liveform.tokens.expiration.after',
        'spec.encryption.retiredKeyValidFor',
        'spec.security.apiKey.previousKeyValidFor',
      ]),
    );
  });

  for (const version of VERSIONS) {
    it(`${version}: 24855d in every duration field validates`, async () => {
      expect(await validate(version, MAX_DURATION)).toEqual([]);
      expect(await validate(version, `${MAX_DURATION_SECONDS}s`)).toEqual([]);
    });

    it(`${version}: 24856d (and a value past 2^53) is an error at its file:line:column, saying what is allowed`, async () => {
      for (const duration of ['24856d', '24855d1s', '99999999999999999999999d']) {
        const errors = await validate(version, duration);
        expect(errors.map((e) => e.path).sort()).toEqual(
          [
            'spec.authMethods.idDocument.userPolicy.approvedPeriod',
            'spec.authMethods.idDocument.userPolicy.rejectedPeriod',
            'spec.authMethods.idDocument.fraudDetection.rateLimit.window',
            'spec.authMethods.knowledgeBased.fraudDetection.rateLimit.window',
            'spec.liveform.tokens.expiration.after',
            'spec.encryption.retiredKeyValidFor',
            'spec.security.apiKey.previousKeyValidFor',
          ].sort(),
        );
        for (const error of errors) {
          expect(error.rule).toBe('duration.too-long');
          expect(error.file).toMatch(/edge\.yaml$/);
          expect(error.line).toBeGreaterThan(1);
          expect(error.column).toBeGreaterThan(1);
          expect(error.message).toContain(`"${duration}"`);
          expect(error.allowed).toContain('at most 24855d (68 years)');
        }
      }
      const after = (await validate(version, '24856d')).find(
        (e) => e.path === 'spec.liveform.tokens.expiration.after',
      )!;
      expect([after.line, after.column]).toEqual([17, 40]);
    });
  }

  it('a zero duration is refused in every field too', async () => {
    const errors = await validate('argosctl/v2', '0s');
    expect(errors).toHaveLength(7);
    expect(new Set(errors.map((e) => e.rule))).toEqual(new Set(['duration.invalid']));
  });
});
