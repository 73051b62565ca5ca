// The argosctl entry point: wires the process's argv, stdio and exit code to run().
import { processContext } from './context.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processContext());
