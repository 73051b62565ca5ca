// How a statement's plan reads a table, from EXPLAIN (FORMAT JSON), as "node type on index": each
// scan of the table, and for a bitmap heap scan the index scans that feed it (they name the index,
// not the table). Plan tests assert on these strings: a "Seq Scan on (table)" is a full scan.
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export function tableReads(node: PlanNode, table: string, out: string[] = []): string[] {
  if (node['Relation Name'] === table && node['Node Type'] !== 'ModifyTable') {
    if (node['Node Type'] === 'Bitmap Heap Scan') bitmapIndexes(node, out);
    else out.push(`${node['Node Type']} on ${node['Index Name'] ?? '(table)'}`);
  }
  for (const child of node.Plans ?? []) tableReads(child, table, out);
  return out;
}

function bitmapIndexes(node: PlanNode, out: string[]): void {
  for (const child of node.Plans ?? []) {
    if (child['Node Type'] === 'Bitmap Index Scan') out.push(`Bitmap Index Scan on ${child['Index Name']}`);
    else if (/^Bitmap(And|Or)$/.test(child['Node Type'])) bitmapIndexes(child, out);
    else out.push(`${child['Node Type']} under a bitmap heap scan`);
  }
}

/** The root plan node of an EXPLAIN (FORMAT JSON) answer (a string on some drivers, parsed on others). */
export function planRoot(raw: unknown): PlanNode {
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  return parsed[0].Plan;
}
