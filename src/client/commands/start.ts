// `eks-upgrade start`: validate, start `upgrade-<cluster>-<target>` with search attributes and a Web UI summary,
// and with --wait follow it until the decision
// (or say plainly how it failed, exit 1).
import { readFileSync } from 'node:fs';
import { WorkflowExecutionAlreadyStartedError, type Client, type Connection } from '@temporalio/client';
import { upgradeWorkflowId } from '../../workflows/constants';
import { hopPath } from '../../domain/campaign-plan';
import { runStartPath } from './start-path';
import { UPGRADE_PHASES } from '../../domain/upgrade-report';
import type { upgradeWorkflow } from '../../workflows/upgrade';
import { EKS_CLUSTER, EKS_TARGET_VERSION, UPGRADE_PHASE } from '../../workflows/search-attributes';
import {
  upgradeStaticDetails,
  upgradeStaticSummary,
  type UpgradePhase,
  type UpgradeReport,
  type UpgradeStatus,
  type ValidUpgradeInput,
} from '../../workflows/upgrade-messages';
import { workflowUiLink } from '../connection';
import type { CommandContext } from '../context';
import { emit, renderStatus, statusHeadline, toJson } from '../output';
import { buildUpgradeInput, type StartFlags } from '../start-input';
import { describeUpgrade, NoWorkerError, queryStatus } from '../upgrade-handle';
import { readUpgrade, UpgradeFailedError, workflowTaskFailure } from '../upgrade-reading';
import { printReading } from './show-upgrade';
import { EXIT_FAILURE, EXIT_OK, formatDuration, parseDuration, parseFormat } from '../usage';

export const UPGRADE_WORKFLOW_TYPE = 'upgradeWorkflow';

export interface StartCommandFlags extends StartFlags {
  wait?: boolean;
  waitTimeout?: string;
  format?: string;
}

/**
 * Phases at which `--wait` stops: the decision and its plan exist (or the upgrade ended without one). The verdict
 * alone is not enough: it is published while the plan is still being made, in phase `decision`.
 */
const DECIDED_PHASES: ReadonlySet<UpgradePhase> = new Set(UPGRADE_PHASES.slice(UPGRADE_PHASES.indexOf('decision') + 1));

function snapshotVersion(input: ValidUpgradeInput): string | undefined {
  if (input.currentVersion) return input.currentVersion;
  if (input.inventory.kind !== 'snapshot') return undefined;
  try {
    const parsed = JSON.parse(readFileSync(input.inventory.path, 'utf8')) as { cluster?: { version?: unknown } };
    return typeof parsed.cluster?.version === 'string' ? parsed.cluster.version : undefined;
  } catch {
    return undefined; // only for the summary line: the worker validates the snapshot and reports problems
  }
}

/** The Web UI's one-line summary and markdown details, fixed at start (the workflow keeps its current details). */
export function startMetadata(input: ValidUpgradeInput): { staticSummary: string; staticDetails: string } {
  const currentVersion = snapshotVersion(input);
  const staticSummary = upgradeStaticSummary({ ...input, ...(currentVersion ? { currentVersion } : {}) });
  const staticDetails = [
    upgradeStaticDetails({ ...input, ...(currentVersion ? { currentVersion } : {}) }),
    `- Soak window: ${formatDuration(input.soakWindowMs)}; approval timeout: ${formatDuration(input.approvalTimeoutMs)}`,
    ...(input.mode === 'execute' ? [executionDetails(input)] : []),
    '',
    `Approve: \`eks-upgrade approve --cluster ${input.clusterName} --target ${input.targetVersion}\``,
  ].join('\n');
  return { staticSummary, staticDetails: staticDetails.slice(0, 20_000) };
}

function executionDetails(input: ValidUpgradeInput): string {
  const e = input.execution;
  return [
    `- Execution against ${e.targetLabel ?? 'EKS'}: node groups ${e.nodegroupConcurrency} at a time`,
    e.maxUnavailable !== undefined ? `, maxUnavailable ${e.maxUnavailable}` : '',
    `, polls every ${formatDuration(e.pollIntervalMs)}`,
    e.pauseBetweenStages ? ', pauses between stages' : '',
    e.autoRollback ? ', rolls back at once on a ROLLBACK verdict' : ', a rollback waits for rollback --confirm',
  ].join('');
}

/** How an upgrade is started, by `start` and by the demo alike: id, search attributes, Web UI metadata. */
export function upgradeStartOptions(input: ValidUpgradeInput, taskQueue: string) {
  return {
    taskQueue,
    workflowId: upgradeWorkflowId(input.clusterName, input.targetVersion),
    args: [input] as [ValidUpgradeInput],
    typedSearchAttributes: [
      { key: EKS_CLUSTER, value: input.clusterName },
      { key: EKS_TARGET_VERSION, value: input.targetVersion },
      { key: UPGRADE_PHASE, value: 'inventory' },
    ],
    ...startMetadata(input),
  };
}

export async function runStart(flags: StartCommandFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const input = buildUpgradeInput(flags, { env: ctx.env });
  const waitMs = flags.waitTimeout !== undefined ? parseDuration(flags.waitTimeout, '--wait-timeout') : 30 * 60_000;
  // More than one minor ahead: successive one-minor hops, each its own upgrade workflow.
  const current = snapshotVersion(input);
  if (current && hopPath(current, input.targetVersion).length > 1)
    return runStartPath(input, current, { ...(flags.wait ? { wait: true } : {}), format, waitMs }, ctx);
  const { client, connection, namespace } = await ctx.connect();
  const workflowId = upgradeWorkflowId(input.clusterName, input.targetVersion);
  const link = workflowUiLink(ctx.uiUrl, namespace, workflowId);

  try {
    await client.workflow.start<typeof upgradeWorkflow>(
      UPGRADE_WORKFLOW_TYPE,
      upgradeStartOptions(input, ctx.taskQueue),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    ctx.out.info(`${workflowId} is already running; not starting another. Its state:`);
    printReading(await readUpgrade(client, connection, workflowId), format, ctx);
    ctx.out.info(`Web UI: ${link}`);
    return EXIT_FAILURE;
  }

  ctx.out.info(`started ${workflowId}\nWeb UI: ${link}`);
  if (!flags.wait) {
    if (format === 'json')
      ctx.out.result(toJson({ workflowId, namespace, taskQueue: ctx.taskQueue, webUi: link, input }));
    else ctx.out.result(`${workflowId}\n${link}`);
    return EXIT_OK;
  }
  let status: UpgradeStatus;
  try {
    status = await waitForDecision(client, connection, workflowId, ctx, waitMs);
  } catch (err) {
    if (!(err instanceof UpgradeFailedError)) throw err;
    ctx.out.info(`error: ${err.message}`);
    printReading(err.reading, format, ctx);
    ctx.out.info(`Web UI: ${link}`);
    return EXIT_FAILURE;
  }
  emit(ctx.out, format, status, renderStatus);
  if (status.phase === 'awaiting-approval') {
    ctx.out.info(
      `awaiting approval: eks-upgrade approve --cluster ${input.clusterName} --target ${input.targetVersion}  (or abort --reason ...)`,
    );
  }
  return EXIT_OK;
}

/** The reading of a run that failed (or whose workflow task fails), as the error `--wait` ends with. */
async function failedReading(client: Client, connection: Connection, workflowId: string): Promise<UpgradeFailedError> {
  const reading = await readUpgrade(client, connection, workflowId, { queryTimeoutMs: 5_000 });
  const failure = reading.failure ?? {
    kind: 'failed' as const,
    type: 'Unknown',
    message: `the run ended as ${reading.view.status}`,
    chain: [],
  };
  return new UpgradeFailedError({ ...reading, failure });
}

/**
 * Polls the status query once a second, printing each phase change on stderr, until the decision exists.
 * Throws UpgradeFailedError, with the phase and the innermost cause, if the run fails, is terminated, times out
 * or is cancelled first, or if its workflow task keeps failing.
 */
export async function waitForDecision(
  client: Client,
  connection: Connection,
  workflowId: string,
  ctx: CommandContext,
  timeoutMs: number,
): Promise<UpgradeStatus> {
  const handle = client.workflow.getHandle<typeof upgradeWorkflow>(workflowId);
  const deadline = Date.now() + timeoutMs;
  let lastLine = '';
  let warnedNoWorker = false;
  let closed: { report: UpgradeReport } | { error: unknown } | undefined;
  // Learn promptly when the workflow ends: a failure would otherwise show only as failed queries, and a finished
  // run's result holds its final status even when no worker is left to answer queries.
  handle.result().then(
    (report) => {
      closed = { report };
    },
    (error: unknown) => {
      closed = { error };
    },
  );
  while (Date.now() < deadline) {
    if (closed && 'error' in closed) throw await failedReading(client, connection, workflowId);
    try {
      const status = await queryStatus(client, connection, workflowId, 10_000);
      const line = `${new Date().toISOString().slice(11, 19)} ${status.phase} (${status.progress.done}/${status.progress.total})${status.decision ? ` ${statusHeadline(status)}` : ''}`;
      if (line.slice(9) !== lastLine.slice(9)) ctx.out.info(line);
      lastLine = line;
      if (DECIDED_PHASES.has(status.phase)) return status;
    } catch (err) {
      if (!(err instanceof NoWorkerError)) throw err;
      if (closed && 'report' in closed) return closed.report.status;
      if (closed) continue;
      // A query also goes unanswered when the workflow task itself fails (e.g. nondeterminism after a deploy).
      const view = await describeUpgrade(handle);
      const failing = view.status === 'RUNNING' ? await workflowTaskFailure(client, view) : undefined;
      if (failing) throw new UpgradeFailedError({ view, failure: failing });
      if (!warnedNoWorker) ctx.out.info(`${err.message} Still waiting…`);
      warnedNoWorker = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `gave up waiting for the decision of ${workflowId} after ${formatDuration(timeoutMs)} (it keeps running; check it with \`eks-upgrade status\`)`,
  );
}
