// PGlite's file system errors carry no message, only an errno in WebAssembly's (WASI's) numbering,
// not the host's: 44 is ENOENT there. The ones a folder can cause, by name.
const NAMES: Record<number, string> = {
  2: 'permission denied (EACCES)',
  19: 'disk quota exceeded (EDQUOT)',
  20: 'a file already exists (EEXIST)',
  28: 'not a usable file: a FIFO, a device or a bad name (EINVAL)',
  29: 'input/output error (EIO)',
  31: 'a folder where a file was expected (EISDIR)',
  32: 'too many links (ELOOP)',
  37: 'a path too long (ENAMETOOLONG)',
  44: 'a file or folder is missing (ENOENT)',
  51: 'no space left on the disk (ENOSPC)',
  54: 'a file where a folder was expected (ENOTDIR)',
  55: 'a folder is not empty (ENOTEMPTY)',
  63: 'operation not permitted (EPERM)',
  69: 'a read-only file system (EROFS)',
};

/** "no space left on the disk (ENOSPC)", or "errno N" for one not listed. */
export function pgliteErrnoText(errno: number | undefined): string {
  if (errno === undefined) return 'errno unknown';
  return NAMES[errno] ?? `errno ${errno}`;
}
