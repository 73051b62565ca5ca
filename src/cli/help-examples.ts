// What `--help` shows last for each command: two or three invocations people actually type.
// Keyed by the command's words; test/cli/help.test.ts checks that every command has an entry and
// that each example names a real command with real options.

export const HELP_EXAMPLES: Record<string, readonly string[]> = {
  validate: [
    'argosctl validate                          # every manifest under projects/',
    'argosctl validate projects/kbank.yaml      # one file (pre-commit hooks do this)',
    'argosctl validate --strict --format github # lint warnings as errors, annotations for Actions',
  ],
  plan: [
    'argosctl plan                              # what apply would change',
    'argosctl plan --out plan.json              # save it for review, then `argosctl apply plan.json`',
    'argosctl plan --project kbank-prod --detailed-exitcode   # exit 2 when there are changes',
  ],
  apply: [
    'argosctl apply                             # show the plan, ask, apply',
    'argosctl apply plan.json                   # exactly the reviewed plan (refused if stale)',
    'argosctl apply --auto-approve --allow enter-close --lock-timeout 5m',
  ],
  'emergency-stop': [
    'argosctl emergency-stop kbank-prod --reason "fraud wave from one ASN"',
    'argosctl emergency-stop kbank-prod --reason "incident 42" --lock-timeout 30s',
  ],
  'emergency-resume': [
    'argosctl emergency-resume kbank-prod --reason "blocked at the edge"',
    'argosctl emergency-resume kbank-prod --reason "incident 42 closed" --lock-timeout 30s',
  ],
  tokens: [
    'argosctl tokens register kbank-prod a1b2c3d4e5 f6g7h8i9j0',
    'argosctl tokens import kbank-prod tokens.csv',
    'argosctl tokens count kbank-prod --format json',
  ],
  'tokens register': [
    'argosctl tokens register kbank-prod a1b2c3d4e5',
    'argosctl tokens register kbank-prod a1b2c3d4e5 f6g7h8i9j0 --format json',
  ],
  'tokens import': [
    'argosctl tokens import kbank-prod tokens.csv',
    'argosctl tokens import kbank-prod - < tokens.csv   # from standard input',
  ],
  'tokens list': [
    'argosctl tokens list kbank-prod --limit 20',
    'argosctl tokens list kbank-prod --id a1b2c3d4e5 --format json',
  ],
  'tokens count': ['argosctl tokens count kbank-prod', 'argosctl tokens count kbank-prod --format json'],
  'tokens delete': ['argosctl tokens delete kbank-prod a1b2c3d4e5', 'argosctl tokens delete kbank-prod --oldest 1000'],
  'tokens start': [
    'argosctl tokens start kbank-prod a1b2c3d4e5',
    'argosctl tokens start kbank-prod a1b2c3d4e5 --format json',
  ],
  'tokens complete': [
    'argosctl tokens complete kbank-prod a1b2c3d4e5   # its latest started authentication, approved',
    'argosctl tokens complete kbank-prod --session 0b6f2c1e-8d4a-4f5e-9c3b-7a1d2e3f4a5b --result rejected',
  ],
  prune: ['argosctl prune --dry-run', 'argosctl prune --project kbank-prod --format json'],
  worker: ['argosctl worker', 'argosctl worker --once', 'argosctl worker --delivery-interval 10s --webhook-attempts 8'],
  drift: ['argosctl drift', 'argosctl drift --format markdown', 'argosctl drift --github-issue'],
  history: [
    'argosctl history kbank-prod',
    'argosctl history --since 7d --format csv > audit.csv',
    'argosctl history kbank-prod --kind reveal,break-glass   # who saw a key, who stopped submissions',
  ],
  blame: [
    'argosctl blame kbank-prod',
    'argosctl blame kbank-prod --format json',
    'argosctl blame kbank-prod --kind reveal --format csv',
  ],
  admins: ['argosctl admins logins ops@kbank.example', 'argosctl admins logins ops@kbank.example --format json'],
  'admins logins': ['argosctl admins logins ops@kbank.example', 'argosctl admins logins ops@kbank.example --limit 20'],
  github: ['argosctl github comment', 'argosctl github comment --dir settings/argos'],
  'github comment': ['argosctl github comment', 'argosctl github comment --dir settings/argos'],
  db: ['argosctl db migrate --database-url postgres://argos@db.internal/argos', 'argosctl db roles'],
  'db migrate': [
    'argosctl db migrate                        # the database ARGOS_DATABASE_URL names',
    'argosctl db migrate --database-url postgres://argos@db.internal/argos',
  ],
  'db roles': ['argosctl db roles', 'argosctl db roles --plan-role ci_plan --apply-role ci_apply'],
  dashboard: [
    'argosctl dashboard --local-login                 # try it on http://127.0.0.1:8081 as any admin',
    'argosctl dashboard --host 0.0.0.0 --auth-proxy-header x-forwarded-email --trust-proxy 10.0.0.5',
    'argosctl dashboard --port 0 --auth-proxy-header x-auth-request-email --trust-proxy 10.0.0.0/8',
  ],
  serve: ['argosctl serve --port 8080 --worker', 'argosctl serve --host 0.0.0.0 --port 8080 --trust-proxy 10.0.0.0/8'],
  check: [
    'argosctl check kbank-prod --token a1b2c3d4e5',
    'argosctl check kbank-prod --param pid=kbank-prod --ip 203.0.113.7',
  ],
  keys: ['argosctl keys list kbank-prod', 'argosctl keys reveal kbank-prod api-key --out api-key.txt'],
  'keys list': ['argosctl keys list kbank-prod', 'argosctl keys list kbank-prod --format json'],
  'keys reveal': [
    'argosctl keys reveal kbank-prod api-key --out api-key.txt',
    'argosctl keys reveal kbank-prod 2026-q4     # an encryption key, once',
  ],
  'keys rewrap': [
    'argosctl keys rewrap --new-key-file new-master.key',
    'ARGOS_NEW_MASTER_KEY=… argosctl keys rewrap   # the new key from the environment',
  ],
  webhooks: ['argosctl webhooks status', 'argosctl webhooks redrive kbank-prod --all-dead'],
  'webhooks status': ['argosctl webhooks status', 'argosctl webhooks status kbank-prod --format json'],
  'webhooks redrive': [
    'argosctl webhooks redrive kbank-prod --all-dead',
    'argosctl webhooks redrive kbank-prod --event 42',
  ],
  transmit: [
    'argosctl transmit seal --project kbank-prod --in data.json --out sealed.json',
    'argosctl transmit open --private-key kbank.key.pem --in sealed.json',
  ],
  'transmit seal': [
    'argosctl transmit seal --project kbank-prod --in data.json --out sealed.json',
    'argosctl transmit seal --public-key keys/kbank.pub.pem --in data.json',
    'argosctl transmit seal --project kbank-prod --service-key --in request.json   # for serve to open',
  ],
  'transmit service-key': [
    'argosctl transmit service-key kbank-prod > kbank-service.pub.pem   # give it to the API client',
    'argosctl transmit service-key kbank-prod --database-url postgres://argos@db.internal/argos',
  ],
  'transmit open': [
    'argosctl transmit open --private-key kbank.key.pem --in sealed.json',
    'argosctl transmit open --private-key kbank.key.pem --passphrase-env KEY_PASSPHRASE --in sealed.json',
  ],
  url: ['argosctl url build kbank-prod --param uid=42', 'argosctl url open "https://form.argosidentity.com/?pid=…"'],
  'url build': [
    'argosctl url build kbank-prod --param uid=42',
    'argosctl url build kbank-prod --param uid=42 --method ECB --key 2026-q4',
  ],
  'url open': [
    'argosctl url open "https://form.argosidentity.com/?pid=…&encrypted=…"',
    'argosctl url open "https://form.argosidentity.com/?pid=…&encrypted=…" --format json',
  ],
  export: ['argosctl export --out projects', 'argosctl export --unmanaged --out projects'],
  fmt: ['argosctl fmt', 'argosctl fmt --check                       # in CI: exit 1 listing what would change'],
  policy: ['argosctl policy test', 'argosctl policy test --format json'],
  'policy test': ['argosctl policy test', 'argosctl policy test --format json'],
  migrate: ['argosctl migrate --check', 'argosctl migrate --to v2', 'argosctl migrate projects/kbank.yaml'],
  init: [
    'mkdir argos-settings && cd argos-settings && git init && argosctl init',
    'argosctl init && npm install && argosctl validate && argosctl plan',
  ],
  schema: ['argosctl schema', 'argosctl schema config', 'argosctl schema project --format json'],
  completion: ['source <(argosctl completion bash)         # in ~/.bashrc', 'argosctl completion fish | source'],
};

/** The text after a command's help: its examples, indented like commander's own sections. */
export function examplesText(words: readonly string[]): string | undefined {
  const examples = HELP_EXAMPLES[words.join(' ')];
  if (!examples) return undefined;
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`;
}
