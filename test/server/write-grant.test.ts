// A keyed write checks its caller in its own statement (grantedSql) and answers from checkAccess on
// the row that statement read. The two must agree on every caller, or a write happens for a caller
// answered 401/403 (or a passed caller is refused): generated keys (ends at the microsecond around
// the check's millisecond, at infinity, past year 9999), whitelists and client addresses (mapped
// IPv4, IPv6, a forwarded range, garbage), and presented keys (right, wrong, another project's,
// none), on both databases.
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/keys/api-key.js';
import {
  checkAccess,
  grantedSql,
  readAccessRow,
  withKeyHash,
  type AccessRequest,
} from '../../src/server/project-access.js';
import { TokenError } from '../../src/tokens/token-errors.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { depth } from '../helpers/deep.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const NOW = new Date('2026-12-07T10:00:00.123Z');
const SECRETS = ['argos_first', 'argos_second', 'argos_third'];
/** Ends relative to NOW, in seconds (a tenth of a millisecond either side of the check's millisecond). */
const ENDS = [
  null,
  0,
  0.0005,
  -0.0005,
  0.0009,
  0.001,
  -0.001,
  0.0011,
  86_400,
  -86_400,
  'infinity',
  '-infinity',
  '10000-01-01',
];
const RANGES = ['10.0.0.0/8', '10.1.2.3/32', '0.0.0.0/0', '192.168.0.0/16', '1.2.3.0/24'];
const ADDRESSES = [
  '10.1.2.3',
  '::ffff:10.1.2.3',
  '192.168.5.5',
  '1.2.3.4',
  '8.8.8.8',
  '::1',
  '2001:db8::1',
  '10.0.0.0/8',
  'garbage',
  '',
];

const caseArb = fc.record({
  keys: fc.uniqueArray(
    fc.record({
      rotation: fc.integer({ min: 1, max: 4 }),
      secret: fc.constantFrom(...SECRETS),
      end: fc.constantFrom(...ENDS),
    }),
    { maxLength: 3, selector: (k) => k.rotation },
  ),
  ranges: fc.uniqueArray(fc.constantFrom(...RANGES), { maxLength: 3 }),
  address: fc.constantFrom(...ADDRESSES),
  // Often a stored key's secret (as a customer's backend sends), else anything.
  presented: fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: 2 }) },
    { weight: 2, arbitrary: fc.constantFrom(undefined, '', ...SECRETS, 'argos_other_project', 'argos_nobody') },
  ),
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`a write's grant in SQL and checkAccess agree on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('on generated keys, whitelists, addresses and presented keys', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'gate');
      await tokenProject(db, 'other');
      await db
        .insertInto('api_keys')
        .values({ project_id: 'other', rotation: 1, key_hash: hashApiKey('argos_other_project'), fingerprint: 'x' })
        .execute();
      const seen = { granted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ keys, ranges, address, presented: chosen }) => {
          const presented =
            typeof chosen === 'number' ? (keys[chosen % Math.max(1, keys.length)]?.secret ?? SECRETS[0]) : chosen;
          await sql`delete from api_keys where project_id = 'gate'`.execute(db);
          await sql`delete from ip_whitelist where project_id = 'gate'`.execute(db);
          for (const k of keys) {
            const end =
              k.end === null
                ? sql`null`
                : typeof k.end === 'number'
                  ? sql`cast(${NOW} as timestamptz) + make_interval(secs => ${k.end})`
                  : sql`cast(${k.end} as timestamptz)`;
            await sql`insert into api_keys (project_id, rotation, key_hash, fingerprint, valid_until)
              values ('gate', ${k.rotation}, ${hashApiKey(k.secret)}, 'x', ${end})`.execute(db);
          }
          for (const r of ranges)
            await sql`insert into ip_whitelist (project_id, scope, range) values ('gate', 'api', cast(${r} as cidr))`.execute(
              db,
            );
          for (const projectId of ['gate', 'ghost']) {
            const access: AccessRequest = { projectId, clientIp: address, apiKey: presented, now: NOW };
            let passed: boolean;
            try {
              checkAccess(await readAccessRow(db, projectId), access);
              passed = true;
            } catch (err) {
              expect(err).toBeInstanceOf(TokenError);
              passed = false;
            }
            for (const asked of [access, withKeyHash(access)]) {
              const { rows } = await sql<{ granted: boolean }>`
                select ${grantedSql(asked)} as granted from projects p where p.id = ${projectId}`.execute(db);
              expect(rows[0]?.granted ?? false).toBe(passed);
            }
            seen[passed ? 'granted' : 'refused']++;
          }
        }),
        {
          numRuns: depth(400, 40),
          // Always among the cases: a key that passes (its end a millisecond after the check's), one
          // whose end falls inside the check's millisecond, and a whitelist the address is outside of.
          examples: [
            [
              {
                keys: [{ rotation: 1, secret: SECRETS[0], end: 0.001 }],
                ranges: [],
                address: '10.1.2.3',
                presented: 0,
              },
            ],
            [
              {
                keys: [{ rotation: 1, secret: SECRETS[0], end: 0.0009 }],
                ranges: [],
                address: '10.1.2.3',
                presented: 0,
              },
            ],
            [
              {
                keys: [{ rotation: 2, secret: SECRETS[1], end: null }],
                ranges: ['10.0.0.0/8'],
                address: '::ffff:10.1.2.3',
                presented: 0,
              },
            ],
            [
              {
                keys: [{ rotation: 2, secret: SECRETS[1], end: null }],
                ranges: ['192.168.0.0/16'],
                address: '10.1.2.3',
                presented: 0,
              },
            ],
          ],
        },
      );
      // Both answers were reached (the examples above see to it; a property that only ever saw
      // refusals would prove little).
      expect(seen.granted).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    });
  });
}
