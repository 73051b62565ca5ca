// A warning rule firing across many projects is shown once with its count and first five places,
// in text, JSON, GitHub annotations (at most 50, the rest counted) and the plan's markdown (the
// pull-request comment); --verbose lists every one. The CLI cases run validate and plan in process.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  capDiagnostics,
  compactDiagnostics,
  type CutProblems,
  type Diagnostic,
} from '../../src/manifest/diagnostic.js';
import { strictDiagnostics } from '../../src/manifest/check/lint-rules.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan } from '../../src/plan/plan-types.js';
import { GITHUB_ANNOTATIONS, renderDiagnosticsGithub, renderDiagnosticsText } from '../../src/render/diagnostics.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { REPEAT_LIMIT, summariseRepeated } from '../../src/render/repeated-warnings.js';
import { makeStyle } from '../../src/render/style.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const plain = makeStyle(false);

const warning = (i: number, rule = 'lint.open-empty-api-whitelist'): Diagnostic => ({
  severity: 'warning',
  rule,
  file: `projects/p${String(i).padStart(3, '0')}.yaml`,
  line: 9,
  column: 11,
  path: 'spec.status',
  message: 'an OPEN project with no API whitelist accepts API calls from any address',
  allowed: 'spec.security.ipWhitelist.api: the addresses of your servers',
});

const many = (n: number, rule?: string) => Array.from({ length: n }, (_, i) => warning(i, rule));

describe('summariseRepeated', () => {
  it('keeps a rule firing up to 10 times as it is', () => {
    const list = many(REPEAT_LIMIT);
    expect(summariseRepeated(list)).toEqual(list);
  });

  it('shows a rule firing 11 times once, with its count and first five places, where its first stood', () => {
    const error: Diagnostic = { ...warning(0), severity: 'error', rule: 'schema.enum', file: 'projects/a.yaml' };
    const list = [error, ...many(11), warning(99, 'lint.ecb')];
    const shown = summariseRepeated(list);
    expect(shown.map((d) => d.rule)).toEqual(['schema.enum', 'lint.open-empty-api-whitelist', 'lint.ecb']);
    expect(shown[1].repeated).toEqual({
      count: 11,
      places: [0, 1, 2, 3, 4].map((i) => ({ file: `projects/p00${i}.yaml`, line: 9, column: 11 })),
    });
  });

  it('never folds errors, however many', () => {
    const errors = many(30).map((d) => ({ ...d, severity: 'error' as const }));
    expect(summariseRepeated(errors)).toEqual(errors);
  });

  it('--verbose lists every one', () => {
    const list = many(30);
    expect(summariseRepeated(list, true)).toEqual(list);
  });
});

describe('past the cap of problems shown', () => {
  const sorted = (list: Diagnostic[]) => list.sort((a, b) => a.file.localeCompare(b.file));
  const at = (i: number, rule: string): Diagnostic => ({
    ...warning(i, rule),
    file: `projects/p${String(i).padStart(5, '0')}.yaml`,
  });

  it('counts every warning of a rule, not only the shown ones, and the closing entry no longer counts them', () => {
    const list = sorted(Array.from({ length: 1_200 }, (_, i) => at(i, 'lint.open-empty-api-whitelist')));
    const capped = capDiagnostics(list, 1_000);
    expect(capped).toHaveLength(1_001);
    const shown = summariseRepeated(capped);
    expect(shown).toHaveLength(1);
    expect(shown[0].repeated?.count).toBe(1_200);
    expect(shown[0].repeated?.places).toHaveLength(5);
  });

  it('counts warnings cut while collecting (compactDiagnostics) too', () => {
    const cut: CutProblems = { omitted: 0, error: false };
    const collected: Diagnostic[] = [];
    for (let i = 0; i < 5_000; i++) {
      collected.push(at(i, i % 2 ? 'lint.ecb' : 'lint.open-empty-api-whitelist'));
      compactDiagnostics(collected, 1_000, cut);
    }
    const shown = summariseRepeated(capDiagnostics(sorted(collected), 1_000, cut));
    expect(shown.map((d) => [d.rule, d.repeated?.count])).toEqual([
      ['lint.open-empty-api-whitelist', 2_500],
      ['lint.ecb', 2_500],
    ]);
  });

  it('keeps errors and rules seen only past the cap in the closing entry, with their exact number', () => {
    const list = sorted([
      ...Array.from({ length: 995 }, (_, i) => at(i, 'lint.open-empty-api-whitelist')),
      ...Array.from({ length: 3 }, (_, i) => ({ ...at(995 + i, 'schema.enum'), severity: 'error' as const })),
      ...Array.from({ length: 2 }, (_, i) => at(998 + i, 'lint.ecb')),
      ...Array.from({ length: 300 }, (_, i) => at(1_000 + i, 'lint.open-empty-api-whitelist')),
      ...Array.from({ length: 7 }, (_, i) => ({ ...at(1_300 + i, 'schema.enum'), severity: 'error' as const })),
      ...Array.from({ length: 20 }, (_, i) => at(1_307 + i, 'lint.long-token-expiry')),
      ...Array.from({ length: 9 }, (_, i) => at(1_327 + i, 'lint.ecb')),
    ]);
    const shown = summariseRepeated(capDiagnostics(list, 1_000));
    // lint.ecb: 2 shown + 9 past the cap = 11, more than 10: summarised with its total
    expect(shown.map((d) => [d.rule, d.repeated?.count ?? d.omitted ?? 1])).toEqual([
      ['lint.open-empty-api-whitelist', 1_295],
      ['schema.enum', 1],
      ['schema.enum', 1],
      ['schema.enum', 1],
      ['lint.ecb', 11],
      ['limits.problems', 27],
    ]);
    const closing = shown.at(-1)!;
    expect(closing.severity).toBe('error');
    expect(closing.message).toBe('… and 27 more problem(s) not shown');
    expect(closing).not.toHaveProperty('omittedWarnings');
  });

  it('--verbose and --strict show the cap as before, without the counts per rule', () => {
    const list = sorted(Array.from({ length: 1_050 }, (_, i) => at(i, 'lint.ecb')));
    const capped = capDiagnostics(list, 1_000);
    const verbose = summariseRepeated(capped, true);
    expect(verbose).toHaveLength(1_001);
    expect(verbose.at(-1)).toMatchObject({ message: '… and 50 more problem(s) not shown', omitted: 50 });
    expect(verbose.at(-1)).not.toHaveProperty('omittedWarnings');
    const strict = summariseRepeated(strictDiagnostics(capped, true));
    expect(strict).toHaveLength(1_001);
    expect(strict.every((d) => d.severity === 'error' && d.repeated === undefined)).toBe(true);
    expect(strict.at(-1)).not.toHaveProperty('omittedWarnings');
  });
});

describe('text', () => {
  it('prints a repeated rule once with the count and the first five places', () => {
    const text = renderDiagnosticsText(many(10_000), plain);
    expect(text.split('\n').filter(Boolean)).toEqual([
      'projects/p000.yaml:9:11: warning: an OPEN project with no API whitelist accepts API calls from any address [spec.status] (lint.open-empty-api-whitelist) in 10,000 places',
      '  at: projects/p000.yaml:9:11, projects/p001.yaml:9:11, projects/p002.yaml:9:11, projects/p003.yaml:9:11, projects/p004.yaml:9:11 and 9,995 more (--verbose lists all)',
      '  allowed: spec.security.ipWhitelist.api: the addresses of your servers',
    ]);
  });

  it('--verbose prints every warning as before', () => {
    const text = renderDiagnosticsText(many(12), plain, true);
    expect(text.match(/warning:/g)).toHaveLength(12);
    expect(text).not.toMatch(/places/);
  });

  it("a plan's warnings follow the same rule, in text and in markdown (the pull-request comment)", () => {
    const withWarnings: Plan = {
      formatVersion: PLAN_FORMAT_VERSION,
      argosctlVersion: '0.0.0-test',
      createdAt: '2026-11-25T00:00:00.000Z',
      stateFingerprint: 'sha256:s',
      manifestDigest: 'sha256:m',
      planDigest: 'sha256:p',
      git: {},
      unmanaged: [],
      scope: 'all',
      existingProjects: 50,
      summary: summarize([], 0),
      changes: [],
      diagnostics: [],
      refusals: [],
      warnings: many(50),
    };
    const text = renderPlanText(withWarnings, plain);
    expect(text.match(/lint\.open-empty-api-whitelist/g)).toHaveLength(1);
    expect(text).toMatch(/in 50 places\n {4}at: projects\/p000\.yaml:9:11, .* and 45 more \(--verbose lists all\)/);
    expect(renderPlanText(withWarnings, plain, true).match(/lint\.open-empty-api-whitelist/g)).toHaveLength(50);
    const markdown = renderPlanMarkdown(withWarnings);
    expect(markdown.match(/lint\.open-empty-api-whitelist/g)).toHaveLength(1);
    expect(markdown).toMatch(/in 50 places: <code>projects\/p000\.yaml:9:11, .* and 45 more<\/code>/);
  });
});

describe('GitHub annotations', () => {
  it('one annotation for a repeated rule, naming its count and first places', () => {
    const lines = renderDiagnosticsGithub(many(200)).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^::warning file=projects\/p000\.yaml,line=9,col=11,.*in 200 places: projects\/p000\.yaml:9:11, /,
    );
  });

  it('at most 50 annotations; the rest counted on one plain line', () => {
    const errors = Array.from({ length: 120 }, (_, i) => ({ ...warning(i), severity: 'error' as const }));
    const lines = renderDiagnosticsGithub([...errors, ...many(40, 'lint.ecb')])
      .split('\n')
      .filter(Boolean);
    expect(lines.filter((l) => l.startsWith('::'))).toHaveLength(GITHUB_ANNOTATIONS);
    expect(lines.at(-1)).toBe(
      'argosctl: 110 more problem(s) not annotated (GitHub shows 50 per step); run argosctl validate to see them all',
    );
  });

  it('no count line when everything fits', () => {
    expect(renderDiagnosticsGithub(many(3))).not.toMatch(/not annotated/);
  });
});

describe('validate and plan on 12 OPEN projects without an API whitelist', () => {
  const open = (i: number) => `apiVersion: argosctl/v1
kind: Project
metadata: { id: open-${i}, name: Open ${i} }
spec:
  status: OPEN
  authMethods: { idDocument: { enabled: true } }
  encryption: { method: GCM }
  admins: [{ email: ops@example.com }]
`;
  const setup = () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
    for (let i = 0; i < 12; i++)
      writeFileSync(path.join(cwd, `projects/open-${String(i).padStart(2, '0')}.yaml`), open(i));
    return cwd;
  };

  it('text: once with the count; --verbose: all twelve', async () => {
    const cwd = setup();
    const r = await runCliInProcess(['validate', '--no-cache'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning:/g)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /in 12 places\n {2}at: projects\/open-00\.yaml:5:11, .* and 7 more \(--verbose lists all\)/,
    );
    const verbose = await runCliInProcess(['validate', '--no-cache', '--verbose'], { cwd });
    expect(verbose.stderr.match(/warning:/g)).toHaveLength(12);
  });

  it('JSON: one entry carrying repeated {count, places}, valid against the published schema', async () => {
    const cwd = setup();
    const r = await runCliInProcess(['validate', '--no-cache', '--format', 'json'], { cwd });
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics).toHaveLength(1);
    expect(doc.diagnostics[0].repeated.count).toBe(12);
    expect(doc.diagnostics[0].repeated.places).toHaveLength(5);
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/output/validate.v1.json'), 'utf8'));
    expect(ajv.validate(schema, doc), JSON.stringify(ajv.errors)).toBe(true);
    const verbose = JSON.parse(
      (await runCliInProcess(['validate', '--no-cache', '--format', 'json', '--verbose'], { cwd })).stdout,
    );
    expect(verbose.diagnostics).toHaveLength(12);
  });

  it('past the cap of problems shown, the summary line still counts every warning (1,200, not 1,001)', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
    for (let i = 0; i < 1200; i++)
      writeFileSync(path.join(cwd, `projects/open-${String(i).padStart(4, '0')}.yaml`), open(i));
    const r = await runCliInProcess(['validate', '--no-cache'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1200 warning\(s\)/);
    // the summary counts all 1,200 too, and nothing is left "not shown"
    expect(r.stderr.match(/warning:/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/in 1,200 places\n {2}at: projects\/open-0000\.yaml:5:11, .* and 1,195 more/);
    expect(r.stderr).not.toMatch(/not shown/);
    // the second run replays the warnings from validate's cache: the same count
    for (const run of ['checks and fills the cache', 'skips every file']) {
      const json = JSON.parse((await runCliInProcess(['validate', '--format', 'json'], { cwd })).stdout);
      expect(json.diagnostics, run).toHaveLength(1);
      expect(json.diagnostics[0].repeated.count, run).toBe(1_200);
    }
  });

  it('plan: the warnings section lists the rule once', async () => {
    const cwd = setup();
    const r = await runCliInProcess(['plan', '--database-url', 'memory:'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/lint\.open-empty-api-whitelist/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/in 12 places/);
  });
});
