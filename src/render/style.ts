// Colour on a TTY, or anywhere with FORCE_COLOR; never with a non-empty NO_COLOR. The caller decides,
// renderers just receive it.
import pc from 'picocolors';

export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

// picocolors: no dependencies, and it handles nested styles (an inner close code re-opens the outer style).
export function makeStyle(color: boolean): Style {
  const { green, yellow, red, bold, dim } = pc.createColors(color);
  return { green, yellow, red, bold, dim };
}

/**
 * no-color.org: NO_COLOR counts only when non-empty, and wins. FORCE_COLOR (any value but 0 or false,
 * as in Node and chalk) colours even off a terminal, e.g. in CI logs that render ANSI; FORCE_COLOR=0
 * turns colour off even on a terminal.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
