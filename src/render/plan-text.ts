// Terraform-like terminal view of a plan. Every value from a manifest or the database goes
// through escapeTerminal (`t`).
import { masterKeyNote } from './master-key-note.js';
import type { CreateChange, Plan } from '../plan/plan-types.js';
import {
  SYMBOL,
  changeTarget,
  changeValues,
  createdSettingRow,
  createdSettings,
  flags,
  groupByProject,
  summaryLine,
} from './describe-change.js';
import { escapeTerminal as t } from './escape-terminal.js';
import { warningPlace } from './diagnostics.js';
import { placesLine, repeatedCount, summariseRepeated } from './repeated-warnings.js';
import { refusalLinesText } from './refusals.js';
import { allowanceLinesText } from './allowances.js';
import { trafficLinesText } from './traffic-impact.js';
import type { Style } from './style.js';
import { objectDiffLines } from './value-diff.js';

/** `verbose`: every warning on its own line; else a rule repeated across many projects once (repeated-warnings.ts). */
export function renderPlanText(plan: Plan, style: Style, verbose = false): string {
  const lines: string[] = [];
  const paint = { create: style.green, add: style.green, update: style.yellow, remove: style.red } as const;
  for (const [projectId, changes] of groupByProject(plan.changes)) {
    const create = changes.find((c): c is CreateChange => c.action === 'create');
    if (create) {
      lines.push(
        style.green(`+ project ${style.bold(t(projectId))} will be created`) +
          style.dim(create.source ? `  (${t(create.source.file)}:${create.source.line})` : ''),
      );
      for (const row of createdSettings(create).map(createdSettingRow)) {
        lines.push(`    ${t(row.target)}: ${t(row.value)}${row.isDefault ? style.dim('  (default)') : ''}`);
      }
      const f = flags(create);
      if (f.length) lines.push(`    ${style.red(`! ${f.join('; ')}`)}`);
    } else {
      lines.push(style.yellow(`~ project ${style.bold(t(projectId))}`));
      for (const c of changes) {
        const detail = c.action === 'update' ? objectDiffLines(c.before, c.after) : undefined;
        const values = detail ? '' : t(changeValues(c));
        const f = flags(c);
        lines.push(
          `    ${paint[c.action](`${SYMBOL[c.action]} ${t(changeTarget(c))}`)}${values ? `: ${values}` : ''}${f.length ? `  ${style.red(`! ${f.join('; ')}`)}` : ''}${c.source ? style.dim(`  (${t(c.source.file)}:${c.source.line})`) : ''}`,
        );
        for (const d of detail ?? []) lines.push(`        ${d.startsWith('+') ? style.green(t(d)) : style.red(t(d))}`);
      }
    }
    lines.push('');
  }
  if (plan.unmanaged.length) {
    lines.push(
      style.dim(
        `Unmanaged: ${plan.unmanaged.length} project(s) in the database have no manifest and are left unchanged: ${plan.unmanaged.slice(0, 20).map(t).join(', ')}${plan.unmanaged.length > 20 ? ', …' : ''}`,
      ),
      '',
    );
  }
  lines.push(...trafficLinesText(plan, style));
  lines.push(...refusalLinesText(plan.refusals ?? [], style));
  lines.push(...allowanceLinesText(plan, style));
  if (plan.warnings?.length) {
    lines.push(
      style.yellow(`Warnings (${plan.warnings.length}): valid, but worth a second look (--strict makes them errors):`),
    );
    for (const w of summariseRepeated(plan.warnings, verbose)) {
      const count = w.repeated ? ` ${style.yellow(repeatedCount(w.repeated))}` : '';
      lines.push(
        `  ${style.yellow('!')} ${t(warningPlace(w))}: ${t(w.message)} ${style.dim(`(${t(w.rule)})`)}${count}`,
      );
      if (w.repeated) lines.push(`    at: ${t(placesLine(w.repeated))} (--verbose lists all)`);
    }
    lines.push('');
  }
  const keyNote = masterKeyNote(plan, t);
  if (keyNote) lines.push(style.dim(keyNote), '');
  lines.push(style.bold(summaryLine(plan)));
  return lines.join('\n') + '\n';
}
