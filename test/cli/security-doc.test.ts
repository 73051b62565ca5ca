// docs/security.md lists each guard with the test that proves it (issue 17: "the threat model
// lists each guard with its test"): every test file it names exists, and in the table of the
// eleven findings every cited test name is found in the file cited beside it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const page = readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8');
const findings = page.slice(
  page.indexOf('### The eleven findings'),
  page.indexOf('### A hostile client of the service'),
);

describe('docs/security.md', () => {
  it('names only test files that exist', () => {
    const files = [...new Set(page.match(/test\/[\w./-]+\.test\.ts/g) ?? [])];
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('has a row for each of the eleven findings of issue 17, each citing a test by file and name', () => {
    const rows = findings.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    expect(rows.map((row) => Number(/^\| (\d+) \|/.exec(row)![1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const row of rows) expect(row, row.slice(0, 60)).toMatch(/`test\/[\w./-]+\.test\.ts` › \*[^*]+\*/);
  });

  it('every test it cites by name is in the file cited beside it', () => {
    const cited = [...findings.matchAll(/`(test\/[\w./-]+\.test\.ts)` › \*([^*]+)\*/g)].map(([, file, name]) => ({
      file,
      name,
    }));
    expect(cited.length).toBeGreaterThanOrEqual(11);
    const missing = cited.filter(({ file, name }) => !readFileSync(path.join(ROOT, file), 'utf8').includes(name));
    expect(missing).toEqual([]);
  });
});
