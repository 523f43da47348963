// How an executed plan reads to people: the one-line progress ("stage 3/4: node groups 2/5 — ng-batch updating"),
// what the run waits for and the commands that answer it, and the per-step table of the report (update id, start,
// end, result). Pure; the workflow's current details, `eks-upgrade status`, the report and the demo all use it.
import type { ExecutionProgress, ExecutionWait, StepAttempt, StepProgress } from './execution';
import { isStepDone } from './execution';
import { markdownTable } from './format';
import type { PlanStageName } from './plan';

const STAGE_LABEL: Record<PlanStageName, string> = {
  preflight: 'preflight',
  'control-plane': 'control plane',
  'addons-before-nodes': 'add-ons',
  'node-groups': 'node groups',
  'data-plane-manual': 'manual data plane',
  'addons-after-nodes': 'add-ons after the nodes',
  'rollback-preflight': 'preflight',
  'rollback-addons-after-nodes': 'add-ons',
  'rollback-node-groups': 'node groups',
  'rollback-addons-before-nodes': 'add-ons',
  'rollback-control-plane': 'control plane',
};

const isPreflightStage = (stage: PlanStageName) => stage === 'preflight' || stage === 'rollback-preflight';

/** `nodegroup/ng-batch` → `ng-batch`; `cluster` → `control plane`. */
export function resourceName(resource: string): string {
  if (resource === 'cluster') return 'control plane';
  return resource.slice(resource.indexOf('/') + 1);
}

function finished(step: StepProgress): boolean {
  return isStepDone(step) || ['skipped', 'refused', 'not-run'].includes(step.state);
}

/** "stage 3/4: node groups 2/5 — ng-batch updating", or where the run ended. */
export function executionLine(p: ExecutionProgress): string {
  const what = p.kind === 'rollback' ? 'rollback' : 'upgrade';
  const label = p.targetLabel ? ` (${p.targetLabel})` : '';
  if (p.outcome) {
    const done = p.steps.filter((s) => s.kind !== 'preflight' && isStepDone(s)).length;
    const total = p.steps.filter((s) => s.kind !== 'preflight').length;
    return `${what} ${p.outcome}${label}: ${done}/${total} steps done`;
  }
  const stages = p.stages.filter((s) => !isPreflightStage(s.stage));
  const index = stages.findIndex((s) => s.state === 'running');
  const stage = stages[index];
  if (!stage) {
    const first = p.stages[0];
    return first?.state === 'running' ? `${what}${label}: preflight` : `${what}${label}: not started`;
  }
  const steps = p.steps.filter((s) => stage.steps.includes(s.stepId));
  // Node groups count as one unit each (a config step and a version step are one group's work).
  const units = new Map<string, StepProgress[]>();
  for (const s of steps) {
    const key = stage.stage.endsWith('node-groups') ? s.resource : s.stepId;
    units.set(key, [...(units.get(key) ?? []), s]);
  }
  const unitList = [...units.values()];
  const doneUnits = unitList.filter((u) => u.every(finished)).length;
  const active = steps.filter((s) => s.state === 'running' || s.state === 'waiting');
  const position = Math.min(unitList.length, doneUnits + new Set(active.map((s) => s.resource)).size);
  const activity = active.map((s) => `${resourceName(s.resource)} ${stepActivity(s, p.waits)}`);
  const pause = p.waits.find((w) => w.kind === 'paused');
  const tail = pause
    ? ` — paused by ${pause.by}`
    : p.pauseRequested
      ? ` — pause requested by ${p.pauseRequested.by} (after the running steps)`
      : '';
  return `${what}${label} stage ${index + 1}/${stages.length}: ${STAGE_LABEL[stage.stage]} ${position}/${unitList.length}${activity.length > 0 ? ` — ${activity.join(', ')}` : ''}${tail}`;
}

function stepActivity(step: StepProgress, waits: ExecutionWait[]): string {
  const wait = waits.find((w) => 'stepId' in w && w.stepId === step.stepId);
  if (wait?.kind === 'failed') return `FAILED (${wait.errorCode})`;
  if (wait?.kind === 'manual') return 'waiting for a person (manual step)';
  if (step.kind === 'rollback-readiness') return 'checking rollback readiness';
  return step.kind === 'nodegroup-config' ? 'changing its update settings' : 'updating';
}

/** The `--workflow-id` part of a command line. */
const ref = (workflowId: string) => `--workflow-id ${workflowId}`;

/** What one wait needs from the operator, and the commands that answer it. */
export function waitLines(wait: ExecutionWait, workflowId: string, kind: ExecutionProgress['kind']): string[] {
  const step = (id: string) => (id.includes(' ') ? `"${id}"` : id);
  const rollback =
    kind === 'upgrade'
      ? [`eks-upgrade rollback --confirm ${ref(workflowId)} --reason "..."   # undo what was done`]
      : [];
  const abort = `eks-upgrade abort ${ref(workflowId)} --reason "..."`;
  switch (wait.kind) {
    case 'failed': {
      const lines = [
        `${wait.stepId} failed: ${wait.errorCode}: ${wait.message}${wait.resourceIds.length > 0 ? ` (${wait.resourceIds.join(', ')})` : ''}${wait.updateId ? ` [update ${wait.updateId}]` : ''}`,
        `  eks-upgrade retry ${ref(workflowId)} --step ${step(wait.id)}${forceHint(wait.errorCode)}`,
      ];
      if (wait.stepKind !== 'control-plane-version')
        lines.push(`  eks-upgrade skip ${ref(workflowId)} --step ${step(wait.id)} --reason "..."`);
      lines.push(...rollback.map((l) => `  ${l}`), `  ${abort}`);
      return lines;
    }
    case 'drift':
      return [
        `drift before stage ${wait.stage}: the cluster is not as the plan expects:`,
        ...wait.drift.map((d) => `  - ${d.message}`),
        `  eks-upgrade retry ${ref(workflowId)}   # check again (after the running update ended, say)`,
        `  eks-upgrade skip ${ref(workflowId)} --reason "..."   # go on despite the drift`,
        ...rollback.map((l) => `  ${l}`),
        `  ${abort}`,
      ];
    case 'manual':
      return [
        `manual step ${wait.stepId}: do it by hand (commands in the report's plan), then`,
        `  eks-upgrade resume ${ref(workflowId)}   # it is done`,
        `  eks-upgrade skip ${ref(workflowId)} --step ${step(wait.id)} --reason "..."`,
      ];
    case 'paused':
      return [
        `paused by ${wait.by}${wait.reason ? ` (${wait.reason})` : ''} since ${wait.since}`,
        `  eks-upgrade resume ${ref(workflowId)}`,
      ];
    case 'between-stages':
      return [`paused before stage ${wait.stage} (--pause-between-stages)`, `  eks-upgrade resume ${ref(workflowId)}`];
  }
}

function forceHint(errorCode: string): string {
  if (errorCode === 'PodEvictionFailure') return '   # add --force --reason "..." to evict pods past their PDBs';
  if (errorCode === 'InvalidStateException') return '   # add --force --reason "..." to skip the readiness insights';
  if (errorCode === 'ConfigurationConflict') return '   # add --force --reason "..." to overwrite (OVERWRITE)';
  return '   # add --force --reason "..." to force the update';
}

function attemptResult(a: StepAttempt): string {
  const force = a.force ? ' (forced)' : '';
  switch (a.outcome) {
    case 'succeeded':
      return `succeeded${a.adopted ? ', adopted' : ''}${force}`;
    case 'already-done':
      return `already done${a.observed ? ` (${a.observed})` : ''}`;
    case 'confirmed':
      return 'done by hand (confirmed)';
    case 'failed':
      return `FAILED${force}: ${(a.errors ?? []).map((e) => `${e.errorCode}: ${e.errorMessage}${e.resourceIds.length > 0 ? ` (${e.resourceIds.join(', ')})` : ''}`).join('; ') || 'no error given'}`;
    case 'error':
      return `FAILED${force}: ${a.error?.type ?? 'Error'}: ${a.error?.message ?? ''}`;
  }
}

/** One row per attempt (a retried step has several), then the steps that did not run. */
export function executionTable(p: ExecutionProgress): string[] {
  const rows: string[][] = [];
  for (const s of p.steps) {
    if (s.kind === 'preflight' && s.attempts.length === 0 && s.state === 'pending') continue;
    if (s.attempts.length === 0) {
      rows.push([s.title, s.state, '—', '—', '—', s.note ?? '']);
      continue;
    }
    s.attempts.forEach((a, i) => {
      const last = i === s.attempts.length - 1;
      rows.push([
        i === 0 ? s.title : `↳ round ${a.round}`,
        attemptResult(a),
        a.updateId ?? '—',
        a.startedAt ?? '—',
        a.endedAt ?? '—',
        last ? (s.note ?? (s.state === 'skipped' ? 'skipped' : '')) : '',
      ]);
    });
  }
  return markdownTable(['Step', 'Result', 'Update id', 'Start', 'End', 'Note'], rows);
}

/** The report's execution section (Markdown lines). */
export function executionMarkdown(p: ExecutionProgress, workflowId: string): string[] {
  const lines = [`**${executionLine(p)}**`, ''];
  if (p.targetLabel) lines.push(`EKS API: ${p.targetLabel} — ${p.clusterName} in ${p.region}.`, '');
  if (p.startedAt) lines.push(`Started ${p.startedAt}${p.endedAt ? `, ended ${p.endedAt}` : ''}.`, '');
  lines.push(...executionTable(p));
  if (p.waits.length > 0) {
    lines.push('', 'Waiting for:', '', '```');
    for (const w of p.waits) lines.push(...waitLines(w, workflowId, p.kind));
    lines.push('```');
  }
  if (p.decisions.length > 0) {
    lines.push('', 'Operator decisions:', '');
    for (const d of p.decisions)
      lines.push(
        `- ${d.at} ${d.by}: **${d.action}**${d.force ? ' --force' : ''}${d.waitId ? ` (${d.waitId})` : ''}${d.reason ? ` — ${d.reason}` : ''}`,
      );
  }
  for (const s of p.steps.filter((x) => x.byHand && x.byHand.length > 0)) {
    lines.push('', `By hand for ${s.title} (${s.note ?? s.state}):`, '', '```sh', ...(s.byHand ?? []), '```');
  }
  if (p.notUndone && p.notUndone.length > 0) {
    lines.push('', 'Not undone:', '');
    for (const n of p.notUndone) {
      lines.push(`- **${n.resource}:** ${n.reason}`);
      for (const h of n.byHand) lines.push(`  - ${h}`);
    }
  }
  return lines;
}
