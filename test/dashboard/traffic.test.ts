// The dashboard's traffic charts come from the same traffic_facts rows plan reads: admissions
// admitted and refused by reason per hour (chart and table), and the Token API's callers per
// address (members and owners; a guest sees the chart only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTrafficRows } from '../../src/server/traffic-flush.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { asProxy, seedWorld, startDashboard, type RunningDashboard } from './fixtures.js';

const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
const row = (hour: Date, route: string, outcome: string, count: number, caller = '', rotation = 0) => ({
  project_id: 'alpha',
  hour: hour.toISOString(),
  route,
  outcome,
  caller,
  encryption: caller ? '' : 'plain',
  token: caller ? '' : 'none',
  key_rotation: rotation,
  count,
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`dashboard traffic on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let dash: RunningDashboard;
    beforeAll(async () => {
      await seedWorld(fresh.database);
      const now = hourOf(new Date());
      const before = new Date(now.getTime() - 3_600_000);
      await addTrafficRows(fresh.database.db, [
        row(now, '/v1/liveform/start', 'ok', 5),
        row(now, '/v1/liveform/start', 'token_not_found', 2),
        row(before, '/v1/liveform/start', 'ok', 3),
        row(before, '/v1/liveform/start', 'emergency_stop', 4),
        row(now, '/v1/projects/:pid/tokens', 'ok', 9, '198.51.100.7', 2),
        row(before, '/v1/projects/:pid/tokens', 'ip_not_allowed', 1, '192.0.2.1', 2),
      ]);
      dash = await startDashboard(fresh.database);
    });
    afterAll(() => dash?.close());

    it('admissions admitted and refused by reason per hour: a chart with its table', async () => {
      const page = await asProxy(dash.base, '/projects/alpha', 'member@example.com');
      expect(page.text).toContain('Admissions admitted and refused by reason per hour (last 48 hours)');
      expect(page.text).toContain(
        '<thead><tr><th scope="col">hour</th><th scope="col">admitted</th><th scope="col">emergency_stop</th><th scope="col">token_not_found</th></tr></thead>',
      );
      const label = hourOf(new Date()).toISOString().slice(0, 13).replace('T', ' ');
      expect(page.text).toMatch(new RegExp(`${label}:00</td><td>5</td><td>0</td><td>2</td>`));
    });

    it('callers per address for members; not for guests', async () => {
      const member = await asProxy(dash.base, '/projects/alpha', 'member@example.com');
      expect(member.text).toContain('Token API callers per address (last 7 days)');
      expect(member.text).toMatch(/<td>198\.51\.100\.7<\/td><td>9<\/td><td>0<\/td><td>2<\/td>/);
      expect(member.text).toMatch(/<td>192\.0\.2\.1<\/td><td>1<\/td><td>1<\/td>/);
      const guest = await asProxy(dash.base, '/projects/alpha', 'guest@example.com');
      expect(guest.text).toContain('Admissions admitted and refused by reason per hour');
      expect(guest.text).not.toContain('198.51.100.7');
    });
  });
}
