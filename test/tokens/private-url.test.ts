// Private mode without pre-registration: an admitted URL is bound to its session, and once that
// session completed the URL is refused (`url_completed`), from the read path, from the one-statement
// path with known project facts, and when the completion lands between the read and the write.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ProjectFactsCache,
  checkAdmission,
  completeSession,
  startAdmission,
  type AdmissionRequest,
} from '../../src/tokens/admission.js';
import { urlIdentity } from '../../src/tokens/url-identity.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { tokenProject } from '../helpers/token-fixtures.js';

describe('URL identity', () => {
  it('an encrypted URL is its payload; a plain one its pid, token and parameters (in any order, lang aside)', () => {
    const plain = urlIdentity({ projectId: 'p', params: { cf1: 'a', userid: 'u1' } });
    expect(urlIdentity({ projectId: 'p', params: { userid: 'u1', cf1: 'a', lang: 'ko' } })).toBe(plain);
    expect(urlIdentity({ projectId: 'p', params: { userid: 'u2', cf1: 'a' } })).not.toBe(plain);
    expect(urlIdentity({ projectId: 'q', params: { cf1: 'a', userid: 'u1' } })).not.toBe(plain);
    expect(urlIdentity({ projectId: 'p', tokenId: 't', params: { cf1: 'a', userid: 'u1' } })).not.toBe(plain);
    const sealed = urlIdentity({ projectId: 'p', encrypted: 'GCM.k1.AAAA', params: { cf1: 'a' } });
    expect(sealed).toBe(urlIdentity({ projectId: 'p', encrypted: 'GCM.k1.AAAA' }));
    expect(sealed).not.toBe(urlIdentity({ projectId: 'p', encrypted: 'GCM.k1.AAAB' }));
    // Hostile input: a parameter named like the JSON around it does not collide with another URL.
    expect(urlIdentity({ projectId: 'p', params: { 'a","b': 'c' } })).not.toBe(
      urlIdentity({ projectId: 'p', params: { a: '', b: 'c' } }),
    );
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`private mode without pre-registration on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    const db = () => fresh.database.db;
    const url = (projectId: string, params: Record<string, string>): AdmissionRequest => ({ projectId, params });

    beforeAll(async () => {
      await tokenProject(db(), 'priv-url', { preRegistration: false, privateMode: true });
      await tokenProject(db(), 'open-url', { preRegistration: false, privateMode: false });
    });

    it('a URL opens until its session completes, then start and check refuse it with url_completed', async () => {
      const req = url('priv-url', { userid: 'applicant-1', cf1: 'x' });
      const first = await startAdmission(db(), req);
      expect(first).toMatchObject({ admitted: true });
      expect(await startAdmission(db(), req)).toMatchObject({ admitted: true }); // not completed yet
      await completeSession(db(), first.sessionId!, 'approved');
      for (const again of [req, url('priv-url', { cf1: 'x', userid: 'applicant-1', lang: 'en' })]) {
        expect(await startAdmission(db(), again)).toMatchObject({ admitted: false, code: 'url_completed' });
        expect(await checkAdmission(db(), again)).toMatchObject({ admitted: false, code: 'url_completed' });
      }
      expect(await startAdmission(db(), url('priv-url', { userid: 'applicant-2', cf1: 'x' }))).toMatchObject({
        admitted: true,
      });
    });

    it('the bare URL (no token, no parameters) is a URL too; without private mode it opens again', async () => {
      const bare = { projectId: 'priv-url' };
      const s = await startAdmission(db(), bare);
      await completeSession(db(), s.sessionId!, 'rejected');
      expect(await startAdmission(db(), bare)).toMatchObject({ admitted: false, code: 'url_completed' });
      const open = { projectId: 'open-url', params: { userid: 'u' } };
      const o = await startAdmission(db(), open);
      await completeSession(db(), o.sessionId!, 'approved');
      expect(await startAdmission(db(), open)).toMatchObject({ admitted: true });
    });

    it('known project facts (one statement) do not skip it, nor does a completion between read and write', async () => {
      const projects = new ProjectFactsCache();
      const req = url('priv-url', { userid: 'applicant-3' });
      const s = await startAdmission(db(), req, new Date(), { projects });
      expect(projects.get('priv-url')).toBeDefined();
      await completeSession(db(), s.sessionId!, 'approved');
      expect(await startAdmission(db(), req, new Date(), { projects })).toMatchObject({
        admitted: false,
        code: 'url_completed',
      });

      const raced = url('priv-url', { userid: 'applicant-4' });
      const earlier = await startAdmission(db(), raced);
      const outcome = await startAdmission(db(), raced, new Date(), {
        betweenReadAndWrite: async () => {
          await completeSession(db(), earlier.sessionId!, 'approved');
        },
      });
      expect(outcome).toMatchObject({ admitted: false, code: 'url_completed' });
    });
  });
}
