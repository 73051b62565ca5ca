// The parent's side of load-client.ts: autocannon in its own process, one phase at a time over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Phase, PhaseResult, SlowReport } from './load-client.js';

export interface LoadProcess {
  run(phase: Phase): Promise<PhaseResult>;
  slow(base: string, count: number): void;
  stopSlow(): Promise<SlowReport>;
  stop(): void;
}

export function loadProcess(): LoadProcess {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-client.js', import.meta.url)));
  return {
    run: (phase) =>
      new Promise((resolve, reject) => {
        child.once('message', (m: { result?: PhaseResult; error?: string }) =>
          m.result ? resolve(m.result) : reject(new Error(m.error)),
        );
        child.send(phase);
      }),
    slow: (base, count) => child.send({ slow: { base, count } }),
    stopSlow: () =>
      new Promise((resolve) => {
        child.once('message', (m: { slow: SlowReport }) => resolve(m.slow));
        child.send({ slow: 'stop' });
      }),
    stop: () => child.kill(),
  };
}
