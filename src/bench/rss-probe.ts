// Loaded with `node --import` by the whole-command bench: writes the process's peak RSS (KB) and
// CPU time (user + system, µs) to $ARGOS_BENCH_RSS_FILE when it exits. On a loaded machine the
// CPU time is the steadier figure: wall-clock time there includes waiting for a core.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.ARGOS_BENCH_RSS_FILE;
  const usage = process.resourceUsage();
  if (file) writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
