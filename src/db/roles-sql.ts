// The SQL for two PostgreSQL roles with the least rights each job needs: a read-only role for
// plan, drift and history (pull-request CI runs them with untrusted manifests), and an apply role
// that changes rows but never the schema. Every table of the migrations is listed here; a test
// fails when a migration adds a table or sequence this file does not place.
import { UserError } from '../errors.js';

/** `append`: SELECT and INSERT, no UPDATE or DELETE (what drift writes under the plan role). */
type PlanAccess = 'none' | 'select' | 'append' | readonly string[];
type ApplyAccess = 'select' | 'dml';

/** Per table: what the plan role may read (a column list leaves secrets out), what the apply role may do. */
export const ROLE_TABLES: Record<string, { plan: PlanAccess; apply: ApplyAccess }> = {
  projects: { plan: 'select', apply: 'dml' },
  auth_methods: { plan: 'select', apply: 'dml' },
  ip_whitelist: { plan: 'select', apply: 'dml' },
  admins: { plan: 'select', apply: 'dml' },
  // key material stays unreadable to the plan role: only names, statuses and dates
  encryption_keys: {
    plan: ['project_id', 'name', 'rotation', 'status', 'created_at', 'retired_at', 'valid_until'],
    apply: 'dml',
  },
  audit_log: { plan: 'select', apply: 'dml' },
  applied_plans: { plan: 'select', apply: 'dml' },
  admin_logins: { plan: 'none', apply: 'select' }, // written by the service; personal data
  dashboard_sessions: { plan: 'none', apply: 'select' }, // the dashboard's; only hashes of session cookies
  tokens: { plan: 'none', apply: 'dml' },
  token_counts: { plan: 'none', apply: 'dml' },
  // marked-expired tokens per project in stripes (migration 015), kept by triggers on tokens
  token_expired_counts: { plan: 'none', apply: 'dml' },
  // tokens deleted by ID per project in stripes, folded into token_counts by its writers (migration 016)
  token_deleted_counts: { plan: 'none', apply: 'dml' },
  token_events: { plan: 'none', apply: 'dml' },
  prune_runs: { plan: 'none', apply: 'dml' },
  worker_ticks: { plan: 'none', apply: 'dml' },
  // the service (issue 10): key hashes and sealed keys stay unreadable to the plan role
  api_keys: { plan: 'none', apply: 'dml' },
  key_reveals: { plan: 'none', apply: 'dml' },
  liveform_sessions: { plan: 'none', apply: 'dml' },
  token_uses: { plan: 'none', apply: 'dml' },
  // webhook delivery (migration 006): the sealed signing secrets stay unreadable to the plan role
  webhook_secrets: { plan: 'none', apply: 'dml' },
  // the service's own key pair per project (migration 010): the private key is sealed, still not the plan role's
  service_transmission_keys: { plan: 'none', apply: 'dml' },
  // the timeline's own rows (migration 009): rewraps and redrives, no secret in them
  audit_events: { plan: 'select', apply: 'dml' },
  // traffic facts (migration 012): counts per hour, written by serve; no token ID, key or end-user address
  traffic_facts: { plan: 'select', apply: 'dml' },
  // drift's result per run (migration 013): the read-only plan role appends it, never changes one
  drift_checks: { plan: 'append', apply: 'dml' },
  // which master key seals the secrets (migration 018): derived from the key, not the plan role's
  master_key_check: { plan: 'none', apply: 'dml' },
  argosctl_migrations: { plan: 'select', apply: 'select' },
  argosctl_migration_lock: { plan: 'none', apply: 'select' },
};

/** Sequences behind the apply role's inserts (bigserial ids); admin_logins' is the service's. */
export const APPLY_SEQUENCES = [
  'audit_log_id_seq',
  'token_events_id_seq',
  'prune_runs_id_seq',
  'key_reveals_id_seq',
  'audit_events_id_seq',
];
export const OTHER_SEQUENCES = ['admin_logins_id_seq'];

export const DEFAULT_PLAN_ROLE = 'argosctl_plan';
export const DEFAULT_APPLY_ROLE = 'argosctl_apply';

export function checkRoleName(name: string, option: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new UserError(
      `${option} must be a plain role name`,
      'lowercase letters, digits and _, starting with a letter or _, at most 63 characters',
    );
  }
  return name;
}

const quote = (name: string) => `"${name}"`;

function createRole(name: string): string {
  return [
    'DO $$ BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name}') THEN CREATE ROLE ${quote(name)} NOLOGIN; END IF;`,
    'END $$;',
  ].join('\n');
}

export function rolesSql(planRole: string, applyRole: string): string {
  const plan = quote(planRole);
  const apply = quote(applyRole);
  const tables = Object.entries(ROLE_TABLES);
  const planSelect = tables.filter(([, a]) => a.plan === 'select').map(([t]) => t);
  const planAppend = tables.filter(([, a]) => a.plan === 'append').map(([t]) => t);
  const planColumns = tables.filter(([, a]) => Array.isArray(a.plan)) as [string, { plan: readonly string[] }][];
  const applyDml = tables.filter(([, a]) => a.apply === 'dml').map(([t]) => t);
  const applySelect = tables.filter(([, a]) => a.apply === 'select').map(([t]) => t);
  return [
    '-- argosctl database roles. Run as the owner of the argosctl tables, after `argosctl db migrate`,',
    '-- in the database that holds them (e.g. psql "$ADMIN_URL" -f roles.sql). Safe to run again.',
    `-- ${planRole}: read-only, for plan, drift, history and github comment (pull requests); it may only`,
    '--   append drift results to drift_checks (under default_transaction_read_only drift skips that).',
    `-- ${applyRole}: reads and writes rows, for apply, tokens, prune and worker; no DDL (migrations stay with the owner).`,
    '-- Both are NOLOGIN groups; give each CI job its own login that inherits one, e.g.',
    `--   CREATE ROLE ci_plan LOGIN PASSWORD '…' IN ROLE ${planRole};`,
    '--   ALTER ROLE ci_plan SET default_transaction_read_only = on;',
    `--   CREATE ROLE ci_apply LOGIN PASSWORD '…' IN ROLE ${applyRole};`,
    '-- The apply lock is a PostgreSQL advisory lock: its functions are granted to PUBLIC by default.',
    '-- On PostgreSQL 14 and older every role may create tables in schema public; there, also run',
    '--   REVOKE CREATE ON SCHEMA public FROM PUBLIC;',
    'BEGIN;',
    createRole(planRole),
    createRole(applyRole),
    `GRANT USAGE ON SCHEMA public TO ${plan}, ${apply};`,
    `GRANT SELECT ON TABLE ${planSelect.join(', ')} TO ${plan};`,
    `GRANT SELECT, INSERT ON TABLE ${planAppend.join(', ')} TO ${plan};`,
    ...planColumns.map(([t, a]) => `GRANT SELECT (${a.plan.join(', ')}) ON TABLE ${t} TO ${plan};`),
    `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${applyDml.join(', ')} TO ${apply};`,
    `GRANT SELECT ON TABLE ${applySelect.join(', ')} TO ${apply};`,
    `GRANT USAGE ON SEQUENCE ${APPLY_SEQUENCES.join(', ')} TO ${apply};`,
    'COMMIT;',
    '',
  ].join('\n');
}
