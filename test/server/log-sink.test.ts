// Request log lines are written in batches: nothing per line, one write per event-loop turn with
// every line in order, and flush() writes what is pending at once.
import { describe, expect, it } from 'vitest';
import { lineSink } from '../../src/server/log-sink.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('request log sink', () => {
  it('writes the lines of one turn in one write, in order, newline-terminated', async () => {
    const writes: string[] = [];
    const sink = lineSink((text) => writes.push(text));
    sink.write('{"n":1}');
    sink.write('{"n":2}');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n']);
    sink.write('{"n":3}');
    await turn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
  });

  it('flush writes pending lines at once and leaves nothing for the next turn', async () => {
    const writes: string[] = [];
    const sink = lineSink((text) => writes.push(text));
    sink.write('a');
    sink.flush();
    expect(writes).toEqual(['a\n']);
    await turn();
    expect(writes).toEqual(['a\n']);
  });

  it('does not hold more than 256 KiB: a large backlog is written before the turn ends', () => {
    const writes: string[] = [];
    const sink = lineSink((text) => writes.push(text));
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 300; i++) sink.write(line);
    expect(writes.length).toBe(1);
    expect(writes[0].length).toBeGreaterThanOrEqual(256 * 1024);
  });
});
