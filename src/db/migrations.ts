// Schema migrations, in order. Constraints repeat the important manifest rules so that even a
// hand-written UPDATE cannot store what a manifest could not say.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { PROJECT_ID_PATTERN } from '../model/project-id.js';

const ID_DOCUMENT_ONLY_POLICY = `array['approvedPeriod','rejectedPeriod','idRecognitionGuarantee','supportedIdTypes']`;
const ID_DOCUMENT_ONLY_FRAUD = `array['mrzCheck','idLiveness','streamingCaptureOnly']`;

const m001 = `
CREATE TABLE projects (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$' AND length(id) <= 63),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text,
  region text CHECK (region ~ '^[a-z][a-z0-9-]{0,31}$'),
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  status text NOT NULL CHECK (status IN ('TRIAL','TEST','OPEN','CLOSE')),
  submissions text NOT NULL DEFAULT 'normal' CHECK (submissions IN ('normal','emergency-stop')),
  private_mode boolean NOT NULL DEFAULT false,
  token_pre_registration boolean NOT NULL DEFAULT false,
  token_expiration_mode text NOT NULL DEFAULT 'none' CHECK (token_expiration_mode IN ('none','count','time')),
  token_expiration_seconds integer CHECK (token_expiration_seconds > 0),
  token_delete_on_expiration boolean NOT NULL DEFAULT false,
  token_volume_start_threshold smallint CHECK (token_volume_start_threshold BETWEEN 1 AND 100),
  token_volume_ratio smallint CHECK (token_volume_ratio BETWEEN 1 AND 100),
  token_volume_priority text CHECK (token_volume_priority IN ('oldest-first','newest-first')),
  encrypted_only boolean NOT NULL DEFAULT false,
  encryption_method text NOT NULL DEFAULT 'GCM' CHECK (encryption_method IN ('ECB','GCM')),
  privacy_protection boolean NOT NULL DEFAULT false,
  secure_transmission boolean NOT NULL DEFAULT false,
  secure_transmission_public_key text CHECK (secure_transmission_public_key LIKE '-----BEGIN PUBLIC KEY-----%'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT time_expiry_has_duration CHECK ((token_expiration_mode = 'time') = (token_expiration_seconds IS NOT NULL)),
  CONSTRAINT volume_deletion_complete CHECK (
    (token_volume_start_threshold IS NULL) = (token_volume_ratio IS NULL)
    AND (token_volume_ratio IS NULL) = (token_volume_priority IS NULL)),
  CONSTRAINT token_rules_need_pre_registration CHECK (token_pre_registration OR (
    token_expiration_mode = 'none' AND NOT token_delete_on_expiration AND token_volume_ratio IS NULL)),
  CONSTRAINT secure_transmission_has_key CHECK (NOT secure_transmission OR secure_transmission_public_key IS NOT NULL)
);

CREATE TABLE auth_methods (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  method text NOT NULL CHECK (method IN ('idDocument','knowledgeBased')),
  enabled boolean NOT NULL DEFAULT false,
  user_policy jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(user_policy) = 'object'),
  mfa jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(mfa) = 'object'),
  fraud_detection jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fraud_detection) = 'object'),
  PRIMARY KEY (project_id, method),
  CONSTRAINT document_options_only_on_id_document CHECK (method = 'idDocument' OR NOT (
    user_policy ?| ${ID_DOCUMENT_ONLY_POLICY} OR fraud_detection ?| ${ID_DOCUMENT_ONLY_FRAUD}))
);

CREATE TABLE ip_whitelist (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  scope text NOT NULL CHECK (scope IN ('dashboard','api')),
  range cidr NOT NULL CHECK (family(range) = 4),
  PRIMARY KEY (project_id, scope, range)
);

CREATE TABLE admins (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'),
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner','leader','member','guest')),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, email)
);

CREATE TABLE encryption_keys (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
  status text NOT NULL CHECK (status IN ('active','retired')),
  material bytea NOT NULL CHECK (length(material) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE admin_logins (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  logged_in_at timestamptz NOT NULL DEFAULT now(),
  ip inet,
  user_agent text
);
CREATE INDEX admin_logins_by_email ON admin_logins (email, logged_in_at DESC);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  git_commit text,
  git_branch text,
  git_author text,
  pr_number integer,
  plan_digest text NOT NULL,
  project_id text NOT NULL,
  action text NOT NULL CHECK (action IN ('create','update','add','remove','emergency-stop','emergency-resume')),
  path text NOT NULL,
  member text,
  before jsonb,
  after jsonb,
  reason text NOT NULL
);
CREATE INDEX audit_log_by_project ON audit_log (project_id, id);

CREATE TABLE applied_plans (
  plan_digest text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  change_count integer NOT NULL
);
`;

// Liveform tokens: the store, its per-project counter (the 100,000 cap, enforced under
// concurrency by the counter row's lock and CHECK), the webhook outbox, pruning history and the
// worker's claimed ticks.
const m002 = `
CREATE TABLE tokens (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  token_id text NOT NULL CHECK (octet_length(token_id) BETWEEN 8 AND 64 AND token_id ~ '^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$'),
  registered_at timestamptz NOT NULL DEFAULT now(),
  first_used_at timestamptz,
  expires_at timestamptz,
  expired_at timestamptz,
  completed_at timestamptz,
  PRIMARY KEY (project_id, token_id)
);
CREATE INDEX tokens_by_registration ON tokens (project_id, registered_at, token_id);
CREATE INDEX tokens_expired ON tokens (project_id) WHERE expired_at IS NOT NULL;
CREATE INDEX tokens_expiring ON tokens (project_id, expires_at) WHERE expired_at IS NULL AND expires_at IS NOT NULL;

CREATE TABLE token_counts (
  project_id text PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  registered integer NOT NULL DEFAULT 0 CONSTRAINT token_cap CHECK (registered BETWEEN 0 AND 100000)
);

CREATE TABLE token_events (
  id bigserial PRIMARY KEY,
  project_id text NOT NULL,
  payload jsonb NOT NULL CHECK (payload->>'webhook_trigger' = 'token_expired'),
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX token_events_undelivered ON token_events (id) WHERE delivered_at IS NULL;

CREATE TABLE prune_runs (
  id bigserial PRIMARY KEY,
  tick timestamptz,
  project_id text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  expired_marked integer NOT NULL,
  expired_deleted integer NOT NULL,
  volume_deleted integer NOT NULL,
  registered_before integer NOT NULL,
  registered_after integer NOT NULL,
  reason text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('done','abandoned'))
);

CREATE TABLE worker_ticks (
  tick timestamptz PRIMARY KEY,
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running','done','skipped','abandoned','failed'))
);
`;

// The service (issue 10): API keys (only a SHA-256 hash and a fingerprint; the plaintext sealed
// with the master key until its one reveal), the reveal audit, Liveform sessions, and the first
// use of tokens that are not pre-registered (the 3-minute rule).
const m003 = `
ALTER TABLE projects
  ADD COLUMN api_key_rotation integer CHECK (api_key_rotation >= 1),
  ADD COLUMN api_key_previous_valid_seconds integer CHECK (api_key_previous_valid_seconds > 0);

CREATE TABLE api_keys (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  rotation integer NOT NULL CHECK (rotation >= 1),
  key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  valid_until timestamptz,
  sealed bytea,
  revealed_at timestamptz,
  revealed_by text,
  PRIMARY KEY (project_id, rotation),
  CONSTRAINT revealed_once CHECK (sealed IS NULL OR revealed_at IS NULL)
);

CREATE TABLE key_reveals (
  id bigserial PRIMARY KEY,
  project_id text NOT NULL,
  secret text NOT NULL,
  rotation integer NOT NULL,
  fingerprint text NOT NULL,
  revealed_by text NOT NULL,
  revealed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE liveform_sessions (
  id uuid PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  token_id text,
  pre_registered boolean NOT NULL,
  client_ip inet,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  result text CHECK (result IN ('approved','rejected','pending')),
  CONSTRAINT completed_has_result CHECK ((completed_at IS NULL) = (result IS NULL))
);

CREATE TABLE token_uses (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  token_id text NOT NULL CHECK (octet_length(token_id) BETWEEN 1 AND 256),
  first_used_at timestamptz NOT NULL,
  final_result text CHECK (final_result IN ('approved','rejected','pending')),
  final_at timestamptz,
  PRIMARY KEY (project_id, token_id)
);
`;

// Skipping unchanged manifests (issue 13). Apply records, per project, the source it applied
// (manifest_digest: the manifest file's bytes, path, argosctl.yaml and tool version; manifest_reads:
// the other files the document read) and the project's revision at that moment. Every write to the
// project's rows bumps revision, whoever makes it, so a hand-written UPDATE makes revision differ
// from applied_revision and the next plan diffs that project in full: drift stays visible.
const m004 =
  `
ALTER TABLE projects
  ADD COLUMN revision bigint NOT NULL DEFAULT 1,
  ADD COLUMN applied_revision bigint,
  ADD COLUMN manifest_digest text,
  ADD COLUMN manifest_file_projects integer,
  ADD COLUMN manifest_reads jsonb;

-- A change to any column but the bookkeeping ones bumps revision (new columns are covered too).
-- An UPDATE that sets revision itself (the child tables' triggers below) is taken as it is.
CREATE FUNCTION projects_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision IS DISTINCT FROM OLD.revision THEN RETURN NEW; END IF;
  IF (to_jsonb(NEW) - '{revision,applied_revision,manifest_digest,manifest_file_projects,manifest_reads,updated_at}'::text[])
     IS DISTINCT FROM (to_jsonb(OLD) - '{revision,applied_revision,manifest_digest,manifest_file_projects,manifest_reads,updated_at}'::text[]) THEN
    NEW.revision := OLD.revision + 1;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER projects_revision BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION projects_bump_revision();

-- Child rows: one UPDATE per statement (transition tables), not one per row: a 10,000-project
-- apply inserts ~80,000 child rows.
CREATE FUNCTION child_bump_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET revision = revision + 1 WHERE id IN (SELECT DISTINCT project_id FROM new_rows);
  RETURN NULL;
END $$;
CREATE FUNCTION child_bump_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET revision = revision + 1 WHERE id IN (SELECT DISTINCT project_id FROM old_rows);
  RETURN NULL;
END $$;
CREATE FUNCTION child_bump_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET revision = revision + 1
    WHERE id IN (SELECT project_id FROM old_rows UNION SELECT project_id FROM new_rows);
  RETURN NULL;
END $$;
CREATE FUNCTION child_bump_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET revision = revision + 1;
  RETURN NULL;
END $$;
` +
  ['auth_methods', 'ip_whitelist', 'admins', 'encryption_keys']
    .map(
      (t) => `
CREATE TRIGGER ${t}_revision_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION child_bump_inserted();
CREATE TRIGGER ${t}_revision_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION child_bump_deleted();
CREATE TRIGGER ${t}_revision_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION child_bump_updated();
CREATE TRIGGER ${t}_revision_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION child_bump_truncated();
`,
    )
    .join('');
// Webhook delivery (issue 10, item 5): the project's webhook, its signing secrets (sealed with the
// master key; they stay sealed because the worker signs with them; revealed once), and the
// outbox's delivery state per event. A NULL next_attempt_at means "due now".
const m006 = `
ALTER TABLE projects
  ADD COLUMN webhook_url text CHECK (length(webhook_url) <= 2000 AND webhook_url !~ '[[:space:][:cntrl:]]'
    AND (webhook_url ~* '^https://[^/@]+(/|\\?|$)'
      OR webhook_url ~* '^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/|\\?|$)')),
  ADD COLUMN webhook_events jsonb CHECK (jsonb_typeof(webhook_events) = 'array'),
  ADD COLUMN webhook_secret_rotation integer CHECK (webhook_secret_rotation >= 1),
  ADD CONSTRAINT webhook_complete CHECK ((webhook_url IS NULL) = (webhook_events IS NULL)
    AND (webhook_url IS NULL) = (webhook_secret_rotation IS NULL));

CREATE TABLE webhook_secrets (
  project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  rotation integer NOT NULL CHECK (rotation >= 1),
  fingerprint text NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  valid_until timestamptz,
  revealed_at timestamptz,
  revealed_by text,
  PRIMARY KEY (project_id, rotation)
);

ALTER TABLE token_events
  ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN last_error text CHECK (length(last_error) <= 300),
  ADD COLUMN claimed_by text,
  ADD COLUMN dead_at timestamptz,
  ADD CONSTRAINT delivered_or_dead CHECK (delivered_at IS NULL OR dead_at IS NULL);
DROP INDEX token_events_undelivered;
-- the claim scans open events in id order, however many delivered ones the table keeps
CREATE INDEX token_events_open ON token_events (id) WHERE delivered_at IS NULL AND dead_at IS NULL;
`;

// Manifest v2 (issue 12): a project accepts a set of encryption methods, not one: the column
// becomes a sorted array, each existing project keeping exactly the method it had. Project ids
// follow the one grammar of src/model/project-id.ts (mixed case, as ARGOS issues them), and ids
// that differ only in case are refused like duplicates. Admin roles already have their column.
const m007 = `
ALTER TABLE projects ADD COLUMN encryption_methods text[] NOT NULL DEFAULT '{GCM}'
  CONSTRAINT encryption_methods_sorted_set CHECK (encryption_methods IN ('{ECB}'::text[], '{GCM}'::text[], '{ECB,GCM}'::text[]));
UPDATE projects SET encryption_methods = ARRAY[encryption_method];
ALTER TABLE projects DROP COLUMN encryption_method;
ALTER TABLE projects DROP CONSTRAINT projects_id_check;
ALTER TABLE projects ADD CONSTRAINT project_id_grammar CHECK (id ~ '${PROJECT_ID_PATTERN}');
CREATE UNIQUE INDEX projects_id_case_folded ON projects (lower(id));
`;

// Encryption keys (issue 11): material sealed with the master key like API keys, generations per
// name (`rotate: N` issues new material under the same name), and how long a retired or rotated-out
// generation keeps opening URLs. Rows from before stay in clear in `material` until a command that
// holds the master key seals them (`db migrate`, `apply`, `keys rewrap`): the SQL here cannot.
const m005 = `
ALTER TABLE encryption_keys DROP CONSTRAINT encryption_keys_pkey;
ALTER TABLE encryption_keys
  ALTER COLUMN material DROP NOT NULL,
  ADD COLUMN rotation integer NOT NULL DEFAULT 1 CHECK (rotation >= 1),
  ADD COLUMN sealed bytea,
  ADD COLUMN fingerprint text,
  ADD COLUMN valid_until timestamptz,
  ADD COLUMN revealed_at timestamptz,
  ADD COLUMN revealed_by text,
  ADD CONSTRAINT sealed_or_legacy_clear CHECK ((material IS NULL) <> (sealed IS NULL)),
  ADD PRIMARY KEY (project_id, name, rotation);
UPDATE encryption_keys SET fingerprint = 'sha256:' || substr(encode(sha256(material), 'hex'), 1, 12);
ALTER TABLE encryption_keys ALTER COLUMN fingerprint SET NOT NULL;
-- Keys retired before: they open URLs for the default grace period after their retirement.
UPDATE encryption_keys SET valid_until = coalesce(retired_at, now()) + interval '7 days' WHERE status = 'retired';
ALTER TABLE projects ADD COLUMN encryption_retired_valid_seconds integer CHECK (encryption_retired_valid_seconds > 0);
`;

// Session retention (issue 17): the worker's tick removes liveform_sessions and token_uses rows
// older than --session-retention in batches; these indexes let each batch find its oldest rows
// without reading the whole table.
const m008 = `
CREATE INDEX liveform_sessions_started ON liveform_sessions (started_at);
CREATE INDEX token_uses_last_event ON token_uses ((coalesce(final_at, first_used_at)));
`;

// The audit trail as one timeline (issue 18): an apply records whether the manifest files differed
// from the commit (dirty) and, then, the digests of the files that did; a changed setting records
// the text its manifest wrote (`24h`, stored as 86400) and, on create, which values nobody wrote.
// Rewraps and webhook redrives, which left no trace before, get their own rows.
const m009 = `
ALTER TABLE audit_log
  ADD COLUMN dirty boolean NOT NULL DEFAULT false,
  ADD COLUMN written jsonb CHECK (jsonb_typeof(written) = 'object');
ALTER TABLE applied_plans
  ADD COLUMN dirty boolean NOT NULL DEFAULT false,
  ADD COLUMN dirty_files jsonb CHECK (jsonb_typeof(dirty_files) = 'array');
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL CHECK (kind IN ('rewrap','redrive')),
  actor text NOT NULL,
  project_id text,
  detail jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX audit_events_by_time ON audit_events (at, id);
`;

// Issue 18: private mode without pre-registration binds each admitted URL to its session
// (url_digest: the encrypted payload, or pid + parameters; see src/tokens/url-identity.ts), so a
// completed URL is refused; and secure transmission both ways: the service's own key pair per
// project, which clients seal request bodies for (the private key sealed with the master key).
const m010 = `
ALTER TABLE liveform_sessions ADD COLUMN url_digest text;
CREATE INDEX liveform_sessions_url ON liveform_sessions (project_id, url_digest) WHERE url_digest IS NOT NULL;
CREATE TABLE service_transmission_keys (
  project_id text PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  public_key text NOT NULL,
  fingerprint text NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

// The dashboard (issue 19): server-side sessions (only a SHA-256 of the cookie's value is kept, so
// a copy of the table signs nobody in) and, on every sign-in attempt, how it was made and how it
// ended: admin_logins gains the method, the outcome and the reason of a refusal.
const m011 = `
CREATE TABLE dashboard_sessions (
  id_hash bytea PRIMARY KEY CHECK (length(id_hash) = 32),
  email text NOT NULL,
  method text NOT NULL CHECK (method IN ('proxy','local','oidc')),
  csrf_token text NOT NULL,
  ip inet,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX dashboard_sessions_by_email ON dashboard_sessions (email);

ALTER TABLE admin_logins
  ADD COLUMN method text CHECK (method IN ('proxy','local','oidc')),
  ADD COLUMN outcome text CHECK (outcome IN ('success','refused')),
  ADD COLUMN reason text CHECK (length(reason) <= 300);
`;

// Traffic facts (issue 22): what `serve` answered, per project and hour, added up across replicas
// (additive upserts), so that `plan` can say what a change would have refused. The caller is kept
// only for calls made with the project's API key (customers' servers), never for Liveform
// admissions (end users' browsers); no token ID and no key is stored. `(other)` rows hold what
// went past the per-hour cap on distinct rows (src/server/traffic-counter.ts).
const m012 = `
CREATE TABLE traffic_facts (
  project_id text NOT NULL CHECK (length(project_id) <= 200),
  hour timestamptz NOT NULL,
  route text NOT NULL CHECK (length(route) <= 100),
  outcome text NOT NULL CHECK (length(outcome) <= 60),
  caller text NOT NULL DEFAULT '' CHECK (length(caller) <= 45),
  encryption text NOT NULL DEFAULT '' CHECK (encryption IN ('', 'plain', 'ECB', 'GCM', '(other)')),
  token text NOT NULL DEFAULT '' CHECK (token IN ('', 'registered', 'unregistered', 'none', '(other)')),
  key_rotation integer NOT NULL DEFAULT 0 CHECK (key_rotation >= 0),
  count bigint NOT NULL CHECK (count >= 0),
  PRIMARY KEY (project_id, hour, route, outcome, caller, encryption, token, key_rotation)
);
CREATE INDEX traffic_facts_by_hour ON traffic_facts (hour);
`;

// The overview's last drift check (issue 19): every `argosctl drift` run appends one row, the
// projects that differ (id → number of differing settings) and those found only in the database.
// Append-only so the read-only plan role that pull-request CI runs drift with needs INSERT alone
// (no UPDATE or DELETE); no serial id, so no sequence to grant. Numbered 013: 012 is the traffic table.
const m013 = `
CREATE TABLE drift_checks (
  checked_at timestamptz NOT NULL DEFAULT now(),
  drifted jsonb NOT NULL CHECK (jsonb_typeof(drifted) = 'object'),
  unmanaged text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX drift_checks_latest ON drift_checks (checked_at DESC);
`;

// What validation concluded about an applied file (issue 21): its warnings, positions included,
// and its lint ignores, recorded beside manifest_digest so that a file with warnings is skipped
// like a clean one and its warnings are shown again from the record. Bookkeeping, like the other
// manifest_* columns: writing it bumps no revision.
const m014 = `
ALTER TABLE projects ADD COLUMN manifest_findings jsonb;

CREATE OR REPLACE FUNCTION projects_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision IS DISTINCT FROM OLD.revision THEN RETURN NEW; END IF;
  IF (to_jsonb(NEW) - '{revision,applied_revision,manifest_digest,manifest_file_projects,manifest_reads,manifest_findings,updated_at}'::text[])
     IS DISTINCT FROM (to_jsonb(OLD) - '{revision,applied_revision,manifest_digest,manifest_file_projects,manifest_reads,manifest_findings,updated_at}'::text[]) THEN
    NEW.revision := OLD.revision + 1;
  END IF;
  RETURN NEW;
END $$;
`;

// The expired count beside token_counts.registered (issue 21): GET …/tokens/count read it from the
// partial index tokens_expired, a count that grew with the expired tokens (4.8 ms of PostgreSQL CPU
// at 40,000). Statement-level triggers on tokens keep it exactly, whatever writes the rows (prune,
// the worker's sweep, deletes, count-based expiry on use, a registration overwriting an expired
// token, cascades, hand-written SQL): each statement adds the change in its rows with expired_at
// set. Count-based expiry marks tokens on the admission path, many at once in one project, so one
// counter row would make every admission of a project wait for the previous one's commit: the
// count is spread over stripes (the backend's pid modulo 32, so a pooled connection keeps to its
// own row) and read as their sum, an index range of at most 32 rows. No foreign key: a project's
// deletion cascades to its tokens, whose trigger brings its stripes back to a sum of 0.
const m015 = `
CREATE TABLE token_expired_counts (
  project_id text NOT NULL,
  stripe smallint NOT NULL CHECK (stripe BETWEEN 0 AND 31),
  expired integer NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, stripe)
);

-- Each statement's change, per project, added to this backend's stripe (nothing when it is 0).
CREATE FUNCTION tokens_expired_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO token_expired_counts AS c (project_id, stripe, expired)
  SELECT project_id, pg_backend_pid() % 32, count(*) FROM new_rows WHERE expired_at IS NOT NULL GROUP BY project_id
  ON CONFLICT (project_id, stripe) DO UPDATE SET expired = c.expired + excluded.expired;
  RETURN NULL;
END $$;
CREATE FUNCTION tokens_expired_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO token_expired_counts AS c (project_id, stripe, expired)
  SELECT project_id, pg_backend_pid() % 32, -count(*) FROM old_rows WHERE expired_at IS NOT NULL GROUP BY project_id
  ON CONFLICT (project_id, stripe) DO UPDATE SET expired = c.expired + excluded.expired;
  RETURN NULL;
END $$;
CREATE FUNCTION tokens_expired_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO token_expired_counts AS c (project_id, stripe, expired)
  SELECT project_id, pg_backend_pid() % 32, sum(d) FROM (
    SELECT project_id, 1 AS d FROM new_rows WHERE expired_at IS NOT NULL
    UNION ALL
    SELECT project_id, -1 FROM old_rows WHERE expired_at IS NOT NULL) changed
  GROUP BY project_id HAVING sum(d) <> 0
  ON CONFLICT (project_id, stripe) DO UPDATE SET expired = c.expired + excluded.expired;
  RETURN NULL;
END $$;
CREATE FUNCTION tokens_expired_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM token_expired_counts;
  RETURN NULL;
END $$;
CREATE TRIGGER tokens_expired_insert AFTER INSERT ON tokens REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tokens_expired_inserted();
CREATE TRIGGER tokens_expired_delete AFTER DELETE ON tokens REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tokens_expired_deleted();
CREATE TRIGGER tokens_expired_update AFTER UPDATE ON tokens REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tokens_expired_updated();
CREATE TRIGGER tokens_expired_truncate AFTER TRUNCATE ON tokens FOR EACH STATEMENT EXECUTE FUNCTION tokens_expired_truncated();

INSERT INTO token_expired_counts (project_id, stripe, expired)
SELECT project_id, 0, count(*) FROM tokens WHERE expired_at IS NOT NULL GROUP BY project_id;
`;

// Deletions by ID beside token_counts.registered (issue 21): each lowered the project's counter
// row and held it until its commit, so deletes of one project ran one at a time (667-1,476 a
// second under load against 6,598 without the counter). A deletion now adds to a stripe of its
// own (the backend's pid modulo 32, as token_expired_counts does); the registered count is the
// counter less the stripes' sum. Whatever takes the counter's lock to write it (a registration,
// the oldest-first deletion, prune) first folds the stripes into it, so the cap's CHECK still sees
// a count that is never below the real one: an unfolded deletion only makes the cap stricter.
// The stripes belong to the counter row: deleting it (a project's deletion) deletes them.
const m016 = `
CREATE TABLE token_deleted_counts (
  project_id text NOT NULL REFERENCES token_counts(project_id) ON DELETE CASCADE,
  stripe smallint NOT NULL CHECK (stripe BETWEEN 0 AND 31),
  deleted integer NOT NULL DEFAULT 0 CHECK (deleted >= 0),
  PRIMARY KEY (project_id, stripe)
);
`;

// Webhook events are claimed in the order they fall due (a new one at once, a failed one at its
// retry), from an index on that order: the claim reads the due rows only, not every open event
// before them (an endpoint down for a day kept its backlog in the way of every pass). An event of a
// project with no webhook subscribed to its trigger is parked (out of that index, its lease or
// retry time kept) by a trigger on the project's webhook columns, and unparked when one is declared
// again; the worker's tick settles what a race left over (webhooks/parking.ts). The UPDATE at the
// end parks the events already written for projects without one (argosctl before 2026-12-07 wrote
// token_expired events for every project, webhook or not). The BRIN index on created_at serves the
// retention of delivered and dead events (webhooks/event-retention.ts).
const m017 = `
ALTER TABLE token_events ADD COLUMN parked boolean NOT NULL DEFAULT false;
CREATE INDEX token_events_due ON token_events ((coalesce(next_attempt_at, '-infinity'::timestamptz)), id)
  WHERE delivered_at IS NULL AND dead_at IS NULL AND NOT parked;
CREATE INDEX token_events_project_open ON token_events (project_id) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX token_events_created ON token_events USING brin (created_at);
DROP INDEX token_events_open;

CREATE FUNCTION token_events_follow_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE token_events SET parked = NOT (NEW.webhook_url IS NOT NULL AND coalesce(NEW.webhook_events ? 'token_expired', false))
  WHERE project_id = NEW.id AND delivered_at IS NULL AND dead_at IS NULL
    AND parked = (NEW.webhook_url IS NOT NULL AND coalesce(NEW.webhook_events ? 'token_expired', false));
  RETURN NULL;
END $$;
CREATE TRIGGER projects_webhook_parking AFTER UPDATE OF webhook_url, webhook_events ON projects FOR EACH ROW
  WHEN (OLD.webhook_url IS DISTINCT FROM NEW.webhook_url OR OLD.webhook_events IS DISTINCT FROM NEW.webhook_events)
  EXECUTE FUNCTION token_events_follow_webhook();

UPDATE token_events e SET parked = true
WHERE delivered_at IS NULL AND dead_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = e.project_id
                  AND p.webhook_url IS NOT NULL AND p.webhook_events ? 'token_expired');
`;

// Which master key the database's secrets are sealed with (keys/master-key-check.ts): one row, an
// HMAC of a fixed text under the key, recorded at the first seal and by every rewrap.
const m018 = `
CREATE TABLE master_key_check (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  check_value bytea NOT NULL CHECK (length(check_value) = 32),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
`;

function rawMigration(up: string): Migration {
  return {
    up: async (db: Kysely<unknown>) => {
      await sql.raw(up).execute(db);
    },
  };
}

export const MIGRATIONS: Record<string, Migration> = {
  '001_projects': rawMigration(m001),
  '002_tokens': rawMigration(m002),
  '003_service': rawMigration(m003),
  '004_skip_unchanged': rawMigration(m004),
  '005_sealed_keys': rawMigration(m005),
  '006_webhooks': rawMigration(m006),
  '007_manifest_v2': rawMigration(m007),
  '008_retention': rawMigration(m008),
  '009_audit_timeline': rawMigration(m009),
  '010_pipeline': rawMigration(m010),
  '011_dashboard': rawMigration(m011),
  '012_traffic_facts': rawMigration(m012),
  '013_drift_checks': rawMigration(m013),
  '014_manifest_findings': rawMigration(m014),
  '015_token_expired_counts': rawMigration(m015),
  '016_token_deleted_counts': rawMigration(m016),
  '017_webhook_due_order': rawMigration(m017),
  '018_master_key_check': rawMigration(m018),
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };
