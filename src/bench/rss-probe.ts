// Loaded with `node --import` by the whole-command bench: writes the process's peak RSS (KB) to
// $ARGOS_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.ARGOS_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
