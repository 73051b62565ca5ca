// Colour on a TTY only, never with NO_COLOR: the caller decides, renderers just receive it.
export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function makeStyle(color: boolean): Style {
  if (!color) return { green: plain, yellow: plain, red: plain, bold: plain, dim: plain };
  return { green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}

export function shouldColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}
