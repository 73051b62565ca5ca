// Token ID format of the real service: 8 to 64 bytes of a-z A-Z 0-9 - _ . that start and end
// with a letter or digit.
export const TOKEN_CAP = 100_000;
const FORMAT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export function tokenIdProblem(id: string): string | undefined {
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes < 8 || bytes > 64)
    return `"${id.length > 70 ? `${id.slice(0, 67)}…` : id}" is ${bytes} byte${bytes === 1 ? '' : 's'}; a token ID is 8 to 64 bytes`;
  if (/\s/.test(id)) return `"${id}" contains white space`;
  if (!FORMAT.test(id)) return `"${id}" may only hold a-z A-Z 0-9 - _ . and must start and end with a letter or digit`;
  return undefined;
}
