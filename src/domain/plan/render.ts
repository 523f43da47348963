// The playbook: a plan rendered for people, as Markdown (reports, `eks-upgrade plan --format md`) or plain text.
// Each step: what it changes from what to what, its precondition, the commands and API calls, what to watch, and
// how it is undone; manual steps are marked as such. JSON is the plan object itself.
import type { AnyPlan, PlanStep } from './types';

function totalMinutes(plan: AnyPlan): number {
  // Stages run one after another; a stage's steps run `concurrency` at a time.
  let total = 0;
  for (const stage of plan.stages) {
    const minutes = plan.steps.filter((s) => stage.steps.includes(s.id)).map((s) => s.estimatedMinutes);
    const lanes = Array.from({ length: Math.max(1, stage.concurrency) }, () => 0);
    for (const m of minutes) {
      const i = lanes.indexOf(Math.min(...lanes));
      lanes[i] = (lanes[i] ?? 0) + m;
    }
    total += Math.max(...lanes);
  }
  return total;
}

function headline(plan: AnyPlan): string {
  const what = plan.kind === 'upgrade' ? 'Upgrade' : 'Rollback';
  return `${what} playbook: ${plan.clusterName} ${plan.currentVersion} → ${plan.targetVersion}`;
}

function overview(plan: AnyPlan): string {
  const manual = plan.steps.filter((s) => !s.automated).length;
  const nodeStage = plan.stages.find((s) => s.stage === 'node-groups');
  return [
    plan.region ? `region ${plan.region}` : undefined,
    `${plan.steps.length} steps in ${plan.stages.length} stages${manual > 0 ? ` (${manual} manual)` : ''}`,
    `about ${totalMinutes(plan)} min`,
    nodeStage ? `node groups ${nodeStage.concurrency} at a time` : undefined,
  ]
    .filter((p): p is string => p !== undefined)
    .join(' · ');
}

function stepMarkdown(step: PlanStep, number: string): string[] {
  const lines = [`### ${number} ${step.title}${step.automated ? '' : ' (manual)'}`, ''];
  lines.push(`- **Changes:** ${step.summary}`);
  lines.push(`- **Precondition:** ${step.precondition}`);
  if (step.apiCalls.length > 0) lines.push(`- **API:** ${step.apiCalls.join(' → ')}`);
  if (step.dependsOn.length > 0) lines.push(`- **After:** ${step.dependsOn.map((d) => `\`${d}\``).join(', ')}`);
  lines.push(`- **Undo:** ${step.undo}`);
  lines.push(`- **Takes:** about ${step.estimatedMinutes} min`);
  lines.push('- **Watch:**');
  for (const w of step.watch) lines.push(`  - ${w}`);
  if (step.commands.length > 0) {
    lines.push('', '```sh', ...step.commands, '```');
  }
  lines.push('');
  return lines;
}

export function renderPlanMarkdown(plan: AnyPlan): string {
  const lines = [`# ${headline(plan)}`, '', overview(plan), ''];
  if (plan.kind === 'upgrade')
    lines.push(
      'Before each stage the executor re-reads the cluster (preflight: ACTIVE, no update running, versions as planned) and stops on any drift. Each automated step is one EKS update, tracked with DescribeUpdate until Successful or Failed; a failure stops the run for the operator (retry, force, skip, rollback, abort).',
      '',
    );
  else if (plan.controlPlaneWindowEndsAt)
    lines.push(`The control-plane rollback window closes at ${plan.controlPlaneWindowEndsAt}.`, '');
  if (plan.warnings.length > 0) {
    lines.push('**Before you start:**', '');
    for (const w of plan.warnings) lines.push(`- ${w}`);
    lines.push('');
  }
  plan.stages.forEach((stage, i) => {
    lines.push(`## ${i + 1}. ${stage.title}${stage.concurrency > 1 ? ` (${stage.concurrency} at a time)` : ''}`, '');
    stage.steps.forEach((id, j) => {
      const step = plan.steps.find((s) => s.id === id);
      if (step) lines.push(...stepMarkdown(step, `${i + 1}.${j + 1}`));
    });
  });
  if (plan.kind === 'rollback' && plan.notUndoable.length > 0) {
    lines.push('## What cannot be undone through the EKS API', '');
    for (const n of plan.notUndoable) {
      lines.push(`- **${n.resource}:** ${n.reason}`);
      for (const h of n.byHand) lines.push(`  - ${h}`);
    }
    lines.push('');
  }
  if (plan.kind === 'upgrade' && plan.unchanged.length > 0) {
    lines.push('## Left as they are', '');
    for (const u of plan.unchanged) lines.push(`- ${u}`);
    lines.push('');
  }
  if (plan.steps.length === 0) lines.push('Nothing to do.', '');
  return lines.join('\n');
}

export function renderPlanText(plan: AnyPlan): string {
  const lines = [headline(plan), `  ${overview(plan)}`];
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  plan.stages.forEach((stage, i) => {
    lines.push('', `${i + 1}. ${stage.title}${stage.concurrency > 1 ? ` (${stage.concurrency} at a time)` : ''}`);
    stage.steps.forEach((id, j) => {
      const step = plan.steps.find((s) => s.id === id);
      if (!step) return;
      lines.push(`  ${i + 1}.${j + 1} ${step.automated ? '' : '[manual] '}${step.title}`);
      lines.push(`       ${step.summary}`);
      for (const c of step.commands) lines.push(`       $ ${c}`);
      lines.push(`       undo: ${step.undo}`);
    });
  });
  if (plan.kind === 'rollback')
    for (const n of plan.notUndoable)
      lines.push('', `cannot be undone: ${n.resource}: ${n.reason}`, ...n.byHand.map((h) => `  - ${h}`));
  if (plan.kind === 'upgrade') for (const u of plan.unchanged) lines.push(`  unchanged: ${u}`);
  return lines.join('\n');
}
