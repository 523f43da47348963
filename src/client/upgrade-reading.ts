// Reading an upgrade as it really is: a completed run from its result, a running one from its status query, and a
// run that failed, was terminated, timed out or was cancelled from its close event (with the innermost cause and
// the phase, no worker needed). A run whose workflow task keeps failing (a nondeterminism error after a deploy…)
// is reported as such, from its last WorkflowTaskFailed event, not as a missing worker.
import type { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { failureChainOfProto, failureTitle, failureCause, summarizeFailure } from '../domain/failure';
import { isUpgradePhase, type UpgradeFailure, type UpgradeReport, type UpgradeStatus } from '../domain/upgrade-report';
import { reportQuery, statusQuery } from '../workflows/upgrade-messages';
import { describeUpgrade, NoWorkerError, queryStatus, queryWithDeadline, type ServerView } from './upgrade-handle';

const { HistoryEventFilterType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface UpgradeReading {
  view: ServerView;
  /** What the workflow says (its result when completed, else its query); undefined when nobody answered. */
  status?: UpgradeStatus;
  /** The report, when asked for and available. */
  report?: UpgradeReport;
  /** Set when the run failed, was terminated, timed out or cancelled, or when its workflow task keeps failing. */
  failure?: UpgradeFailure;
  /** Why `status` is missing although the run is healthy: no worker answered the query. */
  unanswered?: string;
}

/** 0 for a healthy or finished upgrade, 1 when it failed or nobody could say how it is. */
export function readingExitCode(reading: UpgradeReading): number {
  return reading.failure || reading.unanswered ? 1 : 0;
}

/** Closed without completing: failed, terminated, timed out or cancelled. */
export function endedBadly(executionStatus: string): boolean {
  return ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(executionStatus);
}

function phaseOf(view: Pick<ServerView, 'phase'>): UpgradeFailure['phase'] {
  return isUpgradePhase(view.phase) ? view.phase : undefined;
}

/** Why a closed run did not complete, from its close event. */
export async function closeFailure(
  client: Client,
  view: Pick<ServerView, 'workflowId' | 'runId' | 'status' | 'phase'>,
): Promise<UpgradeFailure> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: view.workflowId, runId: view.runId },
    historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const event = history?.events?.[0];
  const phase = phaseOf(view);
  const failed = event?.workflowExecutionFailedEventAttributes;
  if (failed) return summarizeFailure('failed', failureChainOfProto(failed.failure), phase);
  const terminated = event?.workflowExecutionTerminatedEventAttributes;
  if (terminated) {
    const by = terminated.identity ? ` by ${terminated.identity}` : '';
    const message = `terminated${by}: ${terminated.reason || 'no reason given'}`;
    return summarizeFailure('terminated', [{ type: 'TerminatedFailure', message }], phase);
  }
  if (event?.workflowExecutionTimedOutEventAttributes) {
    const message = 'the workflow timed out: its run or execution timeout passed before it finished';
    return summarizeFailure('timed-out', [{ type: 'TimeoutFailure', message }], phase);
  }
  if (event?.workflowExecutionCanceledEventAttributes) {
    const message = 'the workflow was cancelled (a cancel request, not the abort command)';
    return summarizeFailure('cancelled', [{ type: 'CancelledFailure', message }], phase);
  }
  return summarizeFailure('failed', [{ type: 'Unknown', message: `the run ended as ${view.status}` }], phase);
}

/**
 * The error of a running upgrade's workflow task when its latest workflow task failed (none completed since):
 * the task is being retried and fails again until the workers run code that can replay the history.
 */
export async function workflowTaskFailure(
  client: Client,
  view: Pick<ServerView, 'workflowId' | 'runId' | 'phase' | 'workflowTaskAttempt'>,
): Promise<UpgradeFailure | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId: view.workflowId, runId: view.runId },
    maximumPageSize: 100,
  });
  for (const event of history?.events ?? []) {
    if (event.workflowTaskCompletedEventAttributes) return undefined;
    const failed = event.workflowTaskFailedEventAttributes;
    if (!failed) continue;
    const cause = (WorkflowTaskFailedCause[failed.cause ?? 0] ?? 'UNSPECIFIED').replace(
      'WORKFLOW_TASK_FAILED_CAUSE_',
      '',
    );
    const chain = failureChainOfProto(failed.failure);
    const inner = summarizeFailure('workflow-task-failing', chain, phaseOf(view));
    const attempt =
      view.workflowTaskAttempt && view.workflowTaskAttempt > 1 ? ` (attempt ${view.workflowTaskAttempt})` : '';
    return {
      ...inner,
      type: cause,
      chain: [{ type: 'WorkflowTaskFailed', message: `the workflow task failed${attempt}: ${cause}` }, ...chain],
    };
  }
  return undefined;
}

/** One line for errors and progress: "upgrade-x: FAILED in phase inventory: InvalidEvidenceInput: …". */
export function failureLine(workflowId: string, failure: UpgradeFailure): string {
  return `${workflowId}: ${failureTitle(failure)}: ${failureCause(failure)}`;
}

/** An upgrade that ended badly (or cannot run), raised by commands that wait for one. */
export class UpgradeFailedError extends Error {
  override readonly name = 'UpgradeFailedError';
  constructor(readonly reading: UpgradeReading & { failure: UpgradeFailure }) {
    super(failureLine(reading.view.workflowId, reading.failure));
  }
}

/**
 * Reads an upgrade: describe first (WorkflowNotFoundError for an unknown id), then whatever source fits its
 * state. With `report`, the report rather than just the status.
 */
export async function readUpgrade(
  client: Client,
  connection: Connection,
  workflowId: string,
  options: { report?: boolean; queryTimeoutMs?: number } = {},
): Promise<UpgradeReading> {
  const handle = client.workflow.getHandle(workflowId);
  const view = await describeUpgrade(handle);
  const timeoutMs = options.queryTimeoutMs ?? 10_000;
  const ask = async (): Promise<Pick<UpgradeReading, 'status' | 'report'>> => {
    if (!options.report) return { status: await queryStatus(client, connection, workflowId, timeoutMs) };
    const report = await queryWithDeadline(connection, () => handle.query(reportQuery), timeoutMs);
    return { report, status: report.status };
  };

  if (view.status === 'COMPLETED') {
    // The result is the final report: readable with no worker running.
    const report = (await handle.result()) as UpgradeReport;
    return { view, status: report.status, ...(options.report ? { report } : {}) };
  }
  if (view.status === 'RUNNING') {
    const failure = await workflowTaskFailure(client, view);
    if (failure) return { view, failure };
    try {
      return { view, ...(await ask()) };
    } catch (err) {
      if (err instanceof NoWorkerError) return { view, unanswered: err.message };
      if (options.report) return { view, unanswered: noAnswer(view, 'report', err) };
      throw err;
    }
  }
  const failure = await closeFailure(client, view);
  // A worker can still replay the closed run to say more (decision, findings); the failure holds without one.
  try {
    const answer = options.report
      ? await ask()
      : { status: await queryWithDeadline(connection, () => handle.query(statusQuery), Math.min(timeoutMs, 5_000)) };
    const status = answer.status ? { ...answer.status, failure } : undefined;
    return {
      view,
      failure,
      ...(status ? { status } : {}),
      ...(answer.report && status ? { report: { ...answer.report, status } } : {}),
    };
  } catch {
    return { view, failure };
  }
}

function noAnswer(view: ServerView, query: string, err: unknown): string {
  return `${view.workflowId} (${view.status.toLowerCase()}) did not answer the ${query} query: is a worker running on task queue '${view.taskQueue}'? (${err instanceof Error ? err.message : String(err)})`;
}
