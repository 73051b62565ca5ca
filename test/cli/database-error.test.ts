// Which errors the CLI reports as the database's: a SQLSTATE, never a file-system errno of five
// letters (EPERM, EBUSY, EROFS), which once read "database error EPERM … nothing was written".
import { describe, expect, it } from 'vitest';
import { asDatabaseError } from '../../src/cli/run.js';

describe('asDatabaseError', () => {
  it('takes a SQLSTATE from PostgreSQL or PGlite', () => {
    expect(asDatabaseError(Object.assign(new Error('permission denied for table x'), { code: '42501' }))).toBe(
      'database error 42501: permission denied for table x',
    );
  });

  it('leaves a file-system error of five letters, with or without its syscall, to the file-system report', () => {
    for (const code of ['EPERM', 'EBUSY', 'EROFS', 'EXDEV', 'ELOOP']) {
      expect(
        asDatabaseError(Object.assign(new Error(`${code}: rename a -> b`), { code, syscall: 'rename' })),
      ).toBeUndefined();
      expect(asDatabaseError(Object.assign(new Error(code), { code }))).toBeUndefined();
    }
  });
});
