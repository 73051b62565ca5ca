// Token import files as spreadsheets export them: headers by name, `;` exports, quoted fields, BOM;
// every bad line is reported with its number (the CLI then registers nothing).
import { describe, expect, it } from 'vitest';
import { parseTokenImport } from '../../src/tokens/import-file.js';

describe('parseTokenImport: CSV through csv-parse', () => {
  it('takes the column named tokenId, token_id or id from the header, wherever it stands', () => {
    for (const name of ['tokenId', 'token_id', 'ID']) {
      const r = parseTokenImport('ids.csv', `note,${name},owner\nfirst,tok-00000001,a\nsecond,tok-00000002,b\n`);
      expect(r, name).toEqual({ ids: ['tok-00000001', 'tok-00000002'], problems: [], format: 'csv' });
    }
  });

  it('reads a `;`-separated export (header line decides the delimiter) with a BOM and CRLF', () => {
    const r = parseTokenImport(
      'export.csv',
      '\uFEFFName;Token_ID;Betrag\r\nMüller, Hans;tok-00000001;1,50\r\nSchmidt;tok-00000002;2,75\r\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.ids).toEqual(['tok-00000001', 'tok-00000002']);
  });

  it('reads quoted fields: delimiters, doubled quotes and line breaks inside a quote, padded cells', () => {
    const r = parseTokenImport(
      'ids.csv',
      'id,note\n"tok-00000001","a, b"\n  tok-00000002 ,"say ""hi"""\ntok-00000003,"two\nlines"\ntok-00000004,x\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.ids).toEqual(['tok-00000001', 'tok-00000002', 'tok-00000003', 'tok-00000004']);
    // A bad ID in a record whose quoted note spans lines 2-3 is reported at line 2, where it starts.
    expect(parseTokenImport('ids.csv', 'id,note\n"bad id","two\nlines"\n').problems.map((p) => p.line)).toEqual([2]);
  });

  it('reports every bad line with its file line number, counting comments, blanks and multi-line quotes', () => {
    const text = [
      '# exported 2026-11-27',
      'note;tokenId',
      '',
      'a;short',
      '"multi',
      'line";tok-00000001',
      'c;has space x',
      'd;tok-00000002 # trailing comment is not a comment',
      'e;tok-00000003',
    ].join('\n');
    const r = parseTokenImport('ids.csv', text);
    expect(r.problems.map((p) => p.line)).toEqual([4, 7, 8]);
    expect(r.problems[0]!.message).toMatch(/"short" is 5 bytes/);
    expect(r.problems[1]!.message).toMatch(/white space/);
    expect(r.ids).toEqual(['tok-00000001', 'tok-00000003']);
  });

  it('a broken quote is reported as not valid CSV with its line, not silently dropped', () => {
    const r = parseTokenImport('ids.csv', 'id\ntok-00000001\n"tok-00000002"x\n');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^not valid CSV: Invalid Closing Quote/),
    });
  });

  it('a header without an ID column says so and names the columns found', () => {
    const r = parseTokenImport('ids.csv', 'name,email\nalice,a@example.com\n');
    expect(r.problems[0]).toEqual({
      line: 1,
      message: 'no tokenId, token_id or id column in the header (2 columns: "name", "email")',
    });
  });

  it('without a header, takes the first column (as before)', () => {
    const r = parseTokenImport('ids.csv', 'tok-00000001,x\n"tok-00000002",y\n');
    expect(r).toEqual({ ids: ['tok-00000001', 'tok-00000002'], problems: [], format: 'csv' });
  });
});
