// A progress bar on stderr when it is a terminal; silent otherwise (CI logs stay clean).
export function progressBar(
  stream: NodeJS.WriteStream,
  total: number,
  label: string,
): { update(done: number): void; end(): void } {
  if (!stream.isTTY || total === 0) return { update: () => {}, end: () => {} };
  const width = 30;
  const draw = (done: number) => {
    const filled = Math.round((done / total) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
  draw(0);
  return { update: draw, end: () => stream.write('\n') };
}
