// A campaign's status and report as text or Markdown: the headline, each wave, every cluster and every hop.
import type { CampaignStatus } from '../../workflows/campaign-messages';
import { clusterVerdict } from '../../domain/campaign-progress';

const text = (v: string | number | undefined): string => (v === undefined ? '' : String(v));
const cell = (v: string | number | undefined) => text(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(header: string[], rows: Array<Array<string | number | undefined>>, md: boolean): string[] {
  if (md)
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ];
  const cells = rows.map((r) => r.map(text));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  return [header, ...cells].map((r) =>
    r
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

const usd = (n: number | undefined) => (n === undefined ? '' : `$${n.toFixed(4)}`);

export function renderCampaign(s: CampaignStatus, format: 'text' | 'md'): string {
  const md = format === 'md';
  const out: string[] = [];
  out.push(md ? `# Campaign ${s.name} → ${s.targetVersion}` : `campaign ${s.campaignId}`, '');
  out.push(md ? `**${s.headline}**` : s.headline, '');
  out.push(
    `phase: ${s.phase} · mode ${s.mode} · started ${s.startedAt}${s.endedAt ? ` · ended ${s.endedAt}` : ''} · run ${s.run}`,
  );
  if (s.abortReason) out.push(`aborted: ${s.abortReason}`);
  for (const r of s.stopReasons) out.push(`STOPPED: ${r} — answer with campaign continue | skip-cluster | abort`);
  if (s.gateBlockers.length > 0) out.push(`gate held (auto gate needs every cluster GO): ${s.gateBlockers.join(', ')}`);
  out.push('', md ? '## Waves' : 'waves:', '');
  out.push(
    ...table(
      ['#', 'Wave', 'State', 'Clusters', 'maxParallel', 'Bake', 'Gate', 'Upgrade approval', 'Stop on'],
      s.waves.map((w, i) => [
        i + 1,
        w.name,
        w.state,
        w.clusterCount,
        w.maxParallel,
        `${Math.round(w.bakeTimeMs / 1000)}s`,
        w.gate,
        w.upgradeApproval,
        [w.stopOn.noGo ? 'NO_GO' : '', w.stopOn.failedPercent !== undefined ? `failed>${w.stopOn.failedPercent}%` : '']
          .filter(Boolean)
          .join(', ') || '-',
      ]),
      md,
    ),
  );
  out.push('', md ? '## Clusters and hops' : 'clusters:', '');
  const rows: Array<Array<string | number | undefined>> = [];
  for (const c of s.clusters) {
    const wave = s.waves[c.wave]?.name ?? '?';
    if (c.hops.length === 0)
      rows.push([c.name, wave, c.path, `${c.currentVersion} (at target)`, '-', '-', '-', '', '', c.note]);
    for (const h of c.hops)
      rows.push([
        c.name,
        wave,
        c.path,
        `${h.from}→${h.to}`,
        h.state,
        h.verdict ?? '-',
        (h.blockerCodes ?? []).join(' ') || '-',
        usd(h.costUsd),
        h.workflowId,
        h.note ?? c.note ?? '',
      ]);
  }
  out.push(
    ...table(
      ['Cluster', 'Wave', 'Path', 'Hop', 'State', 'Verdict', 'Blockers', 'Bedrock', 'Workflow', 'Note'],
      rows,
      md,
    ),
  );
  if (s.actions.length > 0) {
    out.push('', md ? '## Operator actions' : 'operator actions:', '');
    for (const a of s.actions)
      out.push(
        `${md ? '- ' : '  '}${a.at} ${a.action}${a.cluster ? ` ${a.cluster}` : ''} by ${a.by}${a.reason ? `: ${a.reason}` : ''}${a.approved ? ` — approved ${a.approved.length}: ${a.approved.join(', ')}` : ''}${a.refused?.length ? `; refused: ${a.refused.join('; ')}` : ''}`,
      );
  }
  const worst = s.clusters.map((c) => [c.name, clusterVerdict(c)] as const).filter(([, v]) => v === 'NO_GO');
  if (worst.length > 0) out.push('', `NO_GO: ${worst.map(([n]) => n).join(', ')}`);
  return out.join('\n');
}
