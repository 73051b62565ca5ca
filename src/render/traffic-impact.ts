// The "traffic impact" section of a plan (terminal and markdown, so also the pull-request comment
// and the job summary): for each change that restricts traffic, what it would have refused of what
// serve recorded over the window. Renders plan.traffic only; project ids and addresses are escaped.
import type { Organization } from '../manifest/organization.js';
import type { Plan } from '../plan/plan-types.js';
import { refuseThresholdPercent, refusedPercent, type PlanTraffic, type TrafficImpact } from '../plan/traffic-types.js';
import { formatDuration } from '../util/duration.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import type { Style } from './style.js';

const WHAT: Record<TrafficImpact['kind'], string> = {
  'api-whitelist': 'outside the new API whitelist',
  'encryption-method': 'by a method no longer accepted',
  'encrypted-only': 'plain (not encrypted) under encrypted-only',
  'pre-registration': 'without a registered token under pre-registration',
  close: 'while the project is CLOSE',
  'emergency-stop': 'under emergency stop',
  'revoke-api-key': 'made with a key this revokes at once',
  'rotate-api-key': 'made with an older key generation this rotation retires sooner than its own grace',
};

const pct = (i: TrafficImpact) => `${refusedPercent(i).toFixed(1)}%`;

/** One sentence: the numbers and what they are. */
export function describeImpact(i: TrafficImpact): string {
  const unit = i.unit === 'calls' ? 'Token API call(s)' : 'Liveform admission(s)';
  const parts = [`would have refused ${i.refused} ${unit} ${WHAT[i.kind]} (${pct(i)} of ${i.projectTotal} recorded)`];
  if (i.methods) parts.push(`methods dropped: ${i.methods.join(', ')}`);
  if (i.addresses) {
    const top = i.addresses.top.map((a) => `${a.address} (${a.calls})`).join(', ');
    parts.push(`${i.addresses.distinct} address(es)${top ? `: ${top}${i.addresses.distinct > 5 ? ', …' : ''}` : ''}`);
    if (i.addresses.unattributed)
      parts.push(`${i.addresses.unattributed} call(s) from addresses past the row cap, not attributed`);
  }
  if (i.perDay?.length) parts.push(`per day: ${i.perDay.map((d) => `${d.day} ${d.admissions}`).join(', ')}`);
  if (i.generations?.length)
    parts.push(`by key generation: ${i.generations.map((g) => `#${g.rotation} ${g.calls}`).join(', ')}`);
  if (i.graceSeconds !== undefined)
    parts.push(`the previous key keeps working ${formatDuration(i.graceSeconds)} after apply`);
  if (i.currentKeyCalls)
    parts.push(`${i.currentKeyCalls} call(s) with the current key must move to the new one within it`);
  return parts.join('; ');
}

function heading(traffic: PlanTraffic): string {
  return `over the last ${traffic.window} (${traffic.since.slice(0, 16)}Z to ${traffic.until.slice(0, 16)}Z), from ${traffic.source}`;
}

const overThreshold = (traffic: PlanTraffic, i: TrafficImpact) => refusedPercent(i) > traffic.thresholdPercent;

export function trafficLinesText(plan: Plan, style: Style): string[] {
  const traffic = plan.traffic;
  // Shown for the changes that restrict traffic; a plan without any says nothing of it.
  if (!traffic?.impacts.length) return [];
  const lines = [style.bold(`Traffic impact ${t(heading(traffic))}:`)];
  if (traffic.unreadable) lines.push(style.yellow(`  ! traffic facts could not be read: ${t(traffic.unreadable)}`));
  else if (!traffic.impacts.length)
    lines.push(`  ${traffic.recorded ? 'no change restricts the recorded traffic' : 'no traffic recorded'}`);
  else if (!traffic.recorded) lines.push('  no traffic recorded for the changed projects: nothing to replay');
  for (const i of traffic.impacts) {
    const mark = overThreshold(traffic, i) ? style.red('!') : i.refused ? style.yellow('~') : ' ';
    lines.push(`  ${mark} ${t(i.projectId)} ${t(i.paths.join(', '))}: ${t(describeImpact(i))}`);
  }
  lines.push('');
  return lines;
}

export function trafficLinesMarkdown(plan: Plan): string[] {
  const traffic = plan.traffic;
  if (!traffic?.impacts.length) return [];
  const lines = [`**Traffic impact** ${md(heading(traffic))}`, ''];
  if (traffic.unreadable) lines.push(`:warning: traffic facts could not be read: ${md(traffic.unreadable)}`, '');
  else if (!traffic.impacts.length)
    lines.push(traffic.recorded ? '_No change restricts the recorded traffic._' : '_No traffic recorded._', '');
  else if (!traffic.recorded) lines.push('_No traffic recorded for the changed projects: nothing to replay._', '');
  if (traffic.impacts.length) {
    lines.push('| | project | setting | would have refused |', '|---|---|---|---|');
    for (const i of traffic.impacts) {
      const mark = overThreshold(traffic, i) ? ':no_entry:' : i.refused ? ':warning:' : '';
      lines.push(
        `| ${mark} | ${code(i.projectId)} | ${i.paths.map((p) => code(p)).join(' ')} | ${md(describeImpact(i))} |`,
      );
    }
    lines.push(
      '',
      `_Threshold: ${traffic.thresholdPercent}% of the project's recorded traffic (\`traffic.refuseThreshold\`)._`,
      '',
    );
  }
  return lines;
}

/** Impacts that refuse something but stay under the threshold in force: apply warns and goes on. */
export function trafficWarnings(plan: Pick<Plan, 'traffic'>, organization: Organization): string[] {
  const threshold = refuseThresholdPercent(organization.traffic?.refuseThreshold);
  return (plan.traffic?.impacts ?? [])
    .filter((i) => i.refused > 0 && refusedPercent(i) <= threshold)
    .map(
      (i) =>
        `warning: ${i.projectId} ${i.paths.join(', ')} ${describeImpact(i)}, over the last ${plan.traffic!.window}: under the ${threshold}% threshold (refuses-live-traffic)`,
    );
}
