// Bounded work for any input (issue 17, finding 2): a 1 MiB manifest of `--- {}` repeated 149,000
// times gave 596,001 problems, 14 s and 1.34 GB. Every bound of src/manifest/limits.ts is one clear
// problem; problems past the reported bound are counted exactly ("… and N more").
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fitComment, GITHUB_COMMENT_LIMIT } from '../../src/github/comment-body.js';
import { fitJobSummary } from '../../src/github/publish-plan.js';
import { problemCount } from '../../src/manifest/diagnostic.js';
import { LIMITS } from '../../src/manifest/limits.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const mutable = LIMITS as { -readonly [K in keyof typeof LIMITS]: number };
const saved = { ...LIMITS };
afterEach(() => Object.assign(mutable, saved));

function folder(files: Record<string, string>): { cwd: string; root: string } {
  const cwd = tempDir();
  const root = path.join(cwd, 'projects');
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return { cwd, root };
}

describe('input limits', () => {
  it('three hostile 1 MiB files (149,000 `--- {}`, 262,000 `---`, 149,000 `--- []`): one limits.documents problem each', async () => {
    const { cwd } = folder({
      'a.yaml': '--- {}\n'.repeat(149_000),
      'b.yaml': '---\n'.repeat(262_000),
      'c.yaml': '--- []\n'.repeat(149_000),
    });
    const json = await runCliInProcess(['validate', '--no-cache', '--dir', 'projects', '--format', 'json'], { cwd });
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out.diagnostics).toHaveLength(3);
    for (const d of out.diagnostics) {
      expect(d.rule).toBe('limits.documents');
      expect(d.message).toBe('file holds more than 1,000 "---" document markers; it was not read further');
      expect(d.allowed).toBe('at most 1,000 documents per file; split it into several files');
    }
    const text = await runCliInProcess(['validate', '--no-cache', '--dir', 'projects'], { cwd });
    expect(text.stdout).toBe('✗ 3 problem(s) in 3 manifest file(s).\n');
  });

  it('1,000 documents of `--- {}`: 4,000 problems, the first 1,000 shown and "… and 3,000 more" (exact)', async () => {
    const { root, cwd } = folder({ 'a.yaml': '--- {}\n'.repeat(1_000) });
    const set = await readManifests(root);
    expect(set.diagnostics).toHaveLength(1_001);
    expect(problemCount(set.diagnostics)).toBe(4_000);
    const last = set.diagnostics[1_000];
    expect(last).toMatchObject({ rule: 'limits.problems', severity: 'error', omitted: 3_000 });
    expect(last.message).toBe('… and 3,000 more problem(s) not shown');
    const text = await runCliInProcess(['validate', '--no-cache', '--dir', 'projects'], { cwd });
    expect(text.stdout).toBe('✗ 4000 problem(s) in 1 manifest file(s).\n');
    expect(text.stderr).toContain('error: … and 3,000 more problem(s) not shown [(run)] (limits.problems)');
  });

  it('a document without `---` markers past the bound (1,001 documents, 1,000 markers) is refused too', async () => {
    const { root } = folder({ 'a.yaml': `a: 1\n${'---\nb: 1\n'.repeat(1_000)}` });
    const set = await readManifests(root);
    expect(set.diagnostics).toMatchObject([
      { rule: 'limits.documents', message: 'file holds 1,001 documents; it was not read further' },
    ]);
  });

  it('150 unknown keys in one document: 100 schema problems shown, "… and 54 more" in that document', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `k${i}: 1`).join('\n');
    const { root } = folder({ 'a.yaml': `${keys}\n` });
    const set = await readManifests(root);
    expect(problemCount(set.diagnostics)).toBe(154); // 150 unknown + apiVersion, kind, metadata, spec missing
    const closing = set.diagnostics.filter((d) => d.omitted);
    expect(closing).toMatchObject([
      { rule: 'limits.problems', omitted: 54, message: '… and 54 more schema problem(s) in this document not shown' },
    ]);
    expect(set.diagnostics).toHaveLength(101);
  });

  it('problems counted past the bound across files stay exact (two files of 600 `--- {}`: 4,800)', async () => {
    const { root } = folder({ 'a.yaml': '--- {}\n'.repeat(600), 'b.yaml': '--- {}\n'.repeat(600) });
    const set = await readManifests(root);
    expect(problemCount(set.diagnostics)).toBe(4_800);
    expect(set.diagnostics).toHaveLength(1_001);
    expect(set.diagnostics.slice(0, 1_000).every((d) => d.file.endsWith('a.yaml'))).toBe(true);
  });

  it('more files than the run allows: one limits.files problem, nothing read', async () => {
    mutable.filesPerRun = 3;
    const { root } = folder({ '1.yaml': 'x', '2.yaml': 'x', '3.yaml': 'x', '4.yaml': 'x' });
    const set = await readManifests(root);
    expect(set.diagnostics).toMatchObject([
      { rule: 'limits.files', allowed: 'at most 3 *.yaml files per run; split the folder or validate parts of it' },
    ]);
  });

  it('more manifest bytes than the run allows: the files after the bound are not read, named in one problem', async () => {
    mutable.totalManifestBytes = 100;
    const { root } = folder({ 'a.yaml': `# ${'x'.repeat(200)}\n`, 'b.yaml': 'not: [valid' });
    const set = await readManifests(root);
    const problem = set.diagnostics.find((d) => d.rule === 'limits.total-bytes');
    expect(problem?.file).toMatch(/b\.yaml$/);
    expect(problem?.message).toBe(
      'the manifests read so far exceed 100 bytes; this file and those after it were not read',
    );
    expect(set.diagnostics.some((d) => d.rule === 'yaml.syntax')).toBe(false);
  });

  it('the job summary is cut at 1 MiB on a line break with a note; the PR comment at 65,536 characters with a pointer', () => {
    const big = `<details>\n${'| a | b |\n'.repeat(400_000)}</details>\n`;
    const summary = fitJobSummary(big);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(LIMITS.jobSummaryBytes);
    expect(summary).toContain('**The summary is cut here**');
    expect(summary).toContain('</details>');
    expect(fitJobSummary('small')).toBe('small');
    const comment = fitComment(big, 'The full plan is in the job summary.');
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toContain('The full plan is in the job summary.');
  });
});
