// `eks-upgrade campaign validate|start|status|report|pause|resume|continue|skip-cluster|approve|abort`: a fleet in
// waves. validate and start read the whole file first (exit 2 naming file:line:col and field; nothing starts).
import { writeFileSync } from 'node:fs';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { campaignWorkflowId } from '../../workflows/constants';
import type { campaignWorkflow } from '../../workflows/campaign';
import {
  abortCampaignUpdate,
  approveUpgradesUpdate,
  campaignStatusQuery,
  continueUpdate,
  pauseUpdate,
  resumeUpdate,
  skipClusterUpdate,
  type CampaignInput,
  type CampaignStatus,
} from '../../workflows/campaign-messages';
import { EKS_CAMPAIGN, EKS_TARGET_VERSION, EKS_WAVE } from '../../workflows/search-attributes';
import type { CampaignPlan } from '../../domain/campaign-plan';
import { workflowUiLink } from '../connection';
import type { CommandContext } from '../context';
import { emit, toJson } from '../output';
import { EXIT_FAILURE, EXIT_OK, parseDuration, parseFormat, UsageError } from '../usage';
import { loadCampaignFile } from './campaign-load';
import { renderCampaign } from './campaign-render';
import { renderFleetReportHtml } from '../dashboard/report-html';

export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';

interface FileFlags {
  file?: string;
  remotePaths?: boolean;
  format?: string;
}

function requireFile(flags: FileFlags): string {
  if (!flags.file) throw new UsageError('which campaign file? pass --file campaign.yaml', '--file');
  return flags.file;
}

function planSummary(plan: CampaignPlan): string {
  const hops = plan.clusters.reduce((n, c) => n + c.hops.length, 0);
  const lines = [
    `campaign ${plan.name} → ${plan.targetVersion} (${plan.mode}): ${plan.clusters.length} clusters, ${hops} upgrade hops, ${plan.waves.length} waves`,
  ];
  plan.waves.forEach((w, i) => {
    lines.push(
      `  wave ${i + 1} ${w.name}: ${w.clusters.length} clusters, maxParallel ${w.maxParallel}, bake ${Math.round(w.bakeTimeMs / 1000)}s, gate ${w.gate}, upgrade approval ${w.upgradeApproval}${w.stopOn.noGo ? ', stop on NO_GO' : ''}${w.stopOn.failedPercent !== undefined ? `, stop when failed > ${w.stopOn.failedPercent}%` : ''}`,
    );
    for (const name of w.clusters) {
      const c = plan.clusters.find((x) => x.name === name);
      if (c)
        lines.push(
          `    ${c.name}: ${c.hops.length === 0 ? `${c.currentVersion}, already at the target` : [c.currentVersion, ...c.hops.map((h) => h.to)].join(' → ')}`,
        );
    }
  });
  return lines.join('\n');
}

export function runCampaignValidate(flags: FileFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const { plan } = loadCampaignFile(requireFile(flags), { remotePaths: flags.remotePaths === true });
  ctx.out.result(format === 'json' ? toJson(plan) : `${planSummary(plan)}\nvalid`);
  return Promise.resolve(EXIT_OK);
}

export function campaignStartOptions(plan: CampaignPlan, input: Omit<CampaignInput, 'plan'>, taskQueue: string) {
  const workflowId = campaignWorkflowId(plan.name);
  return {
    taskQueue,
    workflowId,
    args: [{ plan, ...input }] as [CampaignInput],
    typedSearchAttributes: [
      { key: EKS_CAMPAIGN, value: workflowId },
      { key: EKS_TARGET_VERSION, value: plan.targetVersion },
      { key: EKS_WAVE, value: plan.waves[0]?.name ?? '' },
    ],
    staticSummary:
      `campaign ${plan.name} → ${plan.targetVersion}: ${plan.clusters.length} clusters in ${plan.waves.length} waves`.slice(
        0,
        200,
      ),
    staticDetails: planSummary(plan).slice(0, 20_000),
  };
}

/** Starts the campaign; false (said on stderr) when one of that name is already running. */
export async function startCampaignOnce(
  client: Client,
  options: ReturnType<typeof campaignStartOptions>,
  name: string,
  ctx: CommandContext,
): Promise<boolean> {
  try {
    await client.workflow.start<typeof campaignWorkflow>(CAMPAIGN_WORKFLOW_TYPE, options);
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    ctx.out.info(`${options.workflowId} is already running; not starting another (campaign status --name ${name})`);
    return false;
  }
}

export async function runCampaignStart(
  flags: FileFlags & { pollInterval?: string },
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const { plan } = loadCampaignFile(requireFile(flags), { remotePaths: flags.remotePaths === true });
  const pollIntervalMs = flags.pollInterval ? parseDuration(flags.pollInterval, '--poll-interval') : undefined;
  const { client, namespace } = await ctx.connect();
  const options = campaignStartOptions(
    plan,
    {
      upgradeTaskQueue: ctx.taskQueue,
      startedBy: ctx.env.USER ?? 'cli',
      ...(pollIntervalMs ? { options: { pollIntervalMs } } : {}),
    },
    ctx.taskQueue,
  );
  const link = workflowUiLink(ctx.uiUrl, namespace, options.workflowId);
  if (!(await startCampaignOnce(client, options, plan.name, ctx))) return EXIT_FAILURE;
  ctx.out.info(`started ${options.workflowId}\nWeb UI: ${link}`);
  ctx.out.result(
    format === 'json'
      ? toJson({ workflowId: options.workflowId, namespace, webUi: link, plan })
      : `${planSummary(plan)}\n${options.workflowId}\n${link}`,
  );
  return EXIT_OK;
}

interface RefFlags {
  name?: string;
  workflowId?: string;
  format?: string;
}

export function campaignIdFrom(flags: RefFlags): string {
  if (flags.workflowId && flags.name)
    throw new UsageError('give either --name or --workflow-id, not both', '--workflow-id');
  if (flags.workflowId) return flags.workflowId;
  if (!flags.name) throw new UsageError('which campaign? pass --name NAME (or --workflow-id campaign-NAME)', '--name');
  return campaignWorkflowId(flags.name);
}

/** The campaign's status: its query while it runs, its result once it completed. */
export async function readCampaign(client: Client, workflowId: string): Promise<CampaignStatus> {
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(workflowId);
  const d = await handle.describe();
  if (d.status.name === 'COMPLETED') return handle.result();
  if (d.status.name !== 'RUNNING')
    throw new Error(
      `${workflowId} is ${d.status.name.toLowerCase()}; see it in the Web UI or with temporal workflow show`,
    );
  return client.connection
    .withDeadline(Date.now() + 10_000, () => handle.query(campaignStatusQuery))
    .catch((err: unknown) => {
      throw new Error(
        `${workflowId} did not answer its status query: is a worker running on task queue '${d.taskQueue}'? (${(err as Error).message})`,
      );
    });
}

export async function runCampaignStatus(flags: RefFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const workflowId = campaignIdFrom(flags);
  const { client, namespace } = await ctx.connect();
  const status = await readCampaign(client, workflowId);
  emit(ctx.out, format, status, renderCampaign);
  ctx.out.info(`Web UI: ${workflowUiLink(ctx.uiUrl, namespace, workflowId)}`);
  return EXIT_OK;
}

export async function runCampaignReport(flags: RefFlags & { output?: string }, ctx: CommandContext): Promise<number> {
  const format = (flags.format ?? 'md').toLowerCase();
  if (!['md', 'json', 'text', 'html'].includes(format))
    throw new UsageError(`'${flags.format}' is not a supported format; use md, json, text or html`, '--format');
  const workflowId = campaignIdFrom(flags);
  const { client, namespace } = await ctx.connect();
  const status = await readCampaign(client, workflowId);
  const text =
    format === 'json'
      ? toJson(status)
      : format === 'html'
        ? renderFleetReportHtml([status], { uiBaseUrl: ctx.uiUrl, namespace, generatedAt: new Date().toISOString() })
        : renderCampaign(status, format as 'md' | 'text');
  if (flags.output) {
    writeFileSync(flags.output, text);
    ctx.out.info(`wrote ${flags.output}`);
  } else ctx.out.result(text);
  return EXIT_OK;
}

type Control = 'pause' | 'resume' | 'continue' | 'skip-cluster' | 'abort' | 'approve';

export async function runCampaignControl(
  action: Control,
  flags: RefFlags & { by?: string; reason?: string; cluster?: string; clusters?: string[] },
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = campaignIdFrom(flags);
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  const reason = flags.reason?.trim() || undefined;
  if (action === 'abort' && !reason) throw new UsageError('say why, e.g. --reason "change freeze"', '--reason');
  if (action === 'skip-cluster' && !flags.cluster)
    throw new UsageError('which cluster? pass --cluster NAME', '--cluster');
  const { client } = await ctx.connect();
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(workflowId);
  const base = { by, ...(reason ? { reason } : {}) };
  let answer: unknown;
  try {
    switch (action) {
      case 'pause':
        answer = await handle.executeUpdate(pauseUpdate, { args: [base] });
        break;
      case 'resume':
        answer = await handle.executeUpdate(resumeUpdate, { args: [base] });
        break;
      case 'continue':
        answer = await handle.executeUpdate(continueUpdate, { args: [base] });
        break;
      case 'skip-cluster':
        answer = await handle.executeUpdate(skipClusterUpdate, { args: [{ ...base, cluster: flags.cluster ?? '' }] });
        break;
      case 'abort':
        answer = await handle.executeUpdate(abortCampaignUpdate, { args: [{ by, reason: reason ?? '' }] });
        break;
      case 'approve':
        answer = await handle.executeUpdate(approveUpgradesUpdate, {
          args: [{ ...base, ...(flags.clusters?.length ? { clusters: flags.clusters } : {}) }],
        });
        break;
    }
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      ctx.out.info(`error: ${workflowId} refused ${action}: ${err.cause?.message ?? err.message}`);
      return EXIT_FAILURE;
    }
    if (err instanceof WorkflowNotFoundError) {
      ctx.out.info(`error: no running campaign ${workflowId} (list them with eks-upgrade campaign status --name …)`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  ctx.out.result(
    format === 'json' ? toJson({ workflowId, action, answer }) : typeof answer === 'string' ? answer : toJson(answer),
  );
  return EXIT_OK;
}
