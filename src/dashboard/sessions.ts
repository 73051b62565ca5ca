// Dashboard sessions: server-side rows keyed by the SHA-256 of a random cookie value, so the table
// alone signs nobody in; sign-out ends the row. Every sign-in attempt, success or refusal, writes a
// login record (admin_logins) with the email, time, address, user agent, method and outcome.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { ipv4Of } from '../server/project-access.js';

export type SignInMethod = 'proxy' | 'local' | 'oidc';

export const SESSION_HOURS = 12;

export interface Session {
  email: string;
  method: SignInMethod;
  csrf: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest();

/** Where the attempt came from; only an address PostgreSQL's inet takes is stored. */
export interface Origin {
  ip: string;
  userAgent: string | undefined;
}

function inetOf(address: string): string | null {
  return ipv4Of(address) ?? (/^[0-9a-f:]+$/i.test(address) ? address : null);
}

export async function recordLogin(
  db: Kysely<DatabaseSchema>,
  email: string,
  origin: Origin,
  method: SignInMethod,
  outcome: 'success' | 'refused',
  reason?: string,
): Promise<void> {
  await db
    .insertInto('admin_logins')
    .values({
      email: email.slice(0, 320).toLowerCase(),
      ip: inetOf(origin.ip),
      user_agent: origin.userAgent?.slice(0, 500) ?? null,
      method,
      outcome,
      reason: reason?.slice(0, 300) ?? null,
    } as never)
    .execute();
}

/** A new session row; returns the cookie value (never stored) and the session. */
export async function startSession(
  db: Kysely<DatabaseSchema>,
  email: string,
  method: SignInMethod,
  origin: Origin,
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await db
    .insertInto('dashboard_sessions')
    .values({
      id_hash: hashOf(token),
      email,
      method,
      csrf_token: csrf,
      ip: inetOf(origin.ip),
      user_agent: origin.userAgent?.slice(0, 500) ?? null,
      expires_at: sql`now() + make_interval(hours => ${SESSION_HOURS})`,
    } as never)
    .execute();
  return { token, session: { email, method, csrf } };
}

/** The live session the cookie names, if any (ended and expired ones are not). */
export async function findSession(db: Kysely<DatabaseSchema>, token: string | undefined): Promise<Session | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await db
    .selectFrom('dashboard_sessions')
    .select(['email', 'method', 'csrf_token'])
    .where('id_hash', '=', hashOf(token))
    .where('ended_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row ? { email: row.email, method: row.method as SignInMethod, csrf: row.csrf_token } : undefined;
}

export async function endSession(db: Kysely<DatabaseSchema>, token: string): Promise<void> {
  await db
    .updateTable('dashboard_sessions')
    .set({ ended_at: sql`now()` } as never)
    .where('id_hash', '=', hashOf(token))
    .where('ended_at', 'is', null)
    .execute();
}

/** Deletes sessions that ended or expired more than `days` days ago; returns how many. */
export async function pruneSessions(db: Kysely<DatabaseSchema>, days = 30): Promise<number> {
  const result = await db
    .deleteFrom('dashboard_sessions')
    .where(sql<boolean>`coalesce(ended_at, expires_at) < now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
