// A failure said plainly: Temporal wraps the error that matters (an activity's ApplicationFailure naming the file
// and the field) in layers (WorkflowFailedError → ActivityFailure → ApplicationFailure → its cause). These walk
// the layers, as JavaScript errors (workflow, client) or as the failure protos of a history event, and pick the
// innermost cause worth showing.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  ServerFailure,
  TemporalFailure,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/common';
import type { FailureLink, UpgradeFailure, UpgradePhase } from './upgrade-report';

const MAX_DEPTH = 12;
/** Longest message kept per link: failures can carry whole stack dumps or file contents. */
const MAX_MESSAGE = 2000;

function clip(text: string): string {
  return text.length <= MAX_MESSAGE
    ? text
    : `${text.slice(0, MAX_MESSAGE)}… (${text.length - MAX_MESSAGE} more characters)`;
}

/** The failure class of a Temporal failure (by instanceof: inside the workflow sandbox `name` is not reliable). */
function temporalClass(e: unknown): string | undefined {
  if (e instanceof ApplicationFailure) return 'ApplicationFailure';
  if (e instanceof ActivityFailure) return 'ActivityFailure';
  if (e instanceof TimeoutFailure) return 'TimeoutFailure';
  if (e instanceof CancelledFailure) return 'CancelledFailure';
  if (e instanceof TerminatedFailure) return 'TerminatedFailure';
  if (e instanceof ChildWorkflowFailure) return 'ChildWorkflowFailure';
  if (e instanceof ServerFailure) return 'ServerFailure';
  // A plain Error passed as a failure's cause comes back as a bare TemporalFailure: a generic error.
  if (e instanceof TemporalFailure) return 'Error';
  return undefined;
}

/** The cause chain of a JavaScript error (Temporal failures included), outermost first. */
export function failureChainOfError(err: unknown): FailureLink[] {
  const links: FailureLink[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_DEPTH; depth++) {
    if (!(current instanceof Error)) {
      links.push({ type: 'Error', message: clip(typeof current === 'string' ? current : JSON.stringify(current)) });
      break;
    }
    let type = temporalClass(current) ?? current.name;
    if (current instanceof ApplicationFailure) type = current.type || 'Error';
    if (current instanceof TimeoutFailure) type = `TimeoutFailure(${current.timeoutType})`;
    links.push({
      type,
      message: clip(current.message),
      ...(current instanceof ActivityFailure ? { activity: current.activityType } : {}),
    });
    current = current.cause;
  }
  return links;
}

/** The structural part of temporal.api.failure.v1.Failure that the chain needs (no proto import in the domain). */
export interface FailureProtoLike {
  message?: string | null;
  cause?: FailureProtoLike | null;
  applicationFailureInfo?: { type?: string | null } | null;
  activityFailureInfo?: { activityType?: { name?: string | null } | null } | null;
  timeoutFailureInfo?: object | null;
  canceledFailureInfo?: object | null;
  terminatedFailureInfo?: object | null;
  serverFailureInfo?: object | null;
  childWorkflowExecutionFailureInfo?: object | null;
}

/** The cause chain of a failure proto (e.g. a WorkflowExecutionFailed event's), outermost first. */
export function failureChainOfProto(failure: FailureProtoLike | null | undefined): FailureLink[] {
  const links: FailureLink[] = [];
  let current = failure;
  for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
    const activity = current.activityFailureInfo?.activityType?.name ?? undefined;
    const type = current.applicationFailureInfo
      ? current.applicationFailureInfo.type || 'Error'
      : current.activityFailureInfo
        ? 'ActivityFailure'
        : current.timeoutFailureInfo
          ? 'TimeoutFailure'
          : current.canceledFailureInfo
            ? 'CancelledFailure'
            : current.terminatedFailureInfo
              ? 'TerminatedFailure'
              : current.childWorkflowExecutionFailureInfo
                ? 'ChildWorkflowFailure'
                : current.serverFailureInfo
                  ? 'ServerFailure'
                  : 'Error';
    links.push({ type, message: clip(current.message ?? ''), ...(activity ? { activity } : {}) });
    current = current.cause;
  }
  return links;
}

/** Wrappers whose own message says nothing ("Activity task failed"): never the cause shown. */
const WRAPPERS = new Set(['ActivityFailure', 'ChildWorkflowFailure', 'WorkflowFailedError']);
/** Types that say only "an Error": a typed failure deeper or shallower says more. */
const GENERIC = new Set(['Error', 'TypeError']);

/**
 * The link to show as "the cause": the innermost failure with a specific type (e.g. InvalidEvidenceInput with
 * the file and the field), else the innermost one that is not a bare wrapper.
 */
export function primaryCauseIndex(chain: readonly FailureLink[]): number {
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i];
    if (link && !WRAPPERS.has(link.type) && !GENERIC.has(link.type)) return i;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i];
    if (link && !WRAPPERS.has(link.type)) return i;
  }
  return chain.length - 1;
}

/** An UpgradeFailure from a cause chain: the primary cause, the activity it came from, and the chain itself. */
export function summarizeFailure(
  kind: UpgradeFailure['kind'],
  chain: FailureLink[],
  phase?: UpgradePhase,
): UpgradeFailure {
  const index = primaryCauseIndex(chain);
  const cause = chain[index] ?? { type: 'Error', message: 'unknown failure' };
  const activity = chain
    .slice(0, index + 1)
    .reverse()
    .find((l) => l.activity)?.activity;
  return {
    kind,
    ...(phase ? { phase } : {}),
    type: cause.type,
    message: cause.message,
    ...(activity ? { activity } : {}),
    chain,
  };
}

const KIND_LABEL: Record<UpgradeFailure['kind'], string> = {
  failed: 'FAILED',
  terminated: 'TERMINATED',
  'timed-out': 'TIMED OUT',
  cancelled: 'CANCELLED',
  'workflow-task-failing': 'WORKFLOW TASK FAILING',
};

/** "FAILED in phase inventory (activity loadClusterInventory)". */
export function failureTitle(f: UpgradeFailure): string {
  return `${KIND_LABEL[f.kind]}${f.phase ? ` in phase ${f.phase}` : ''}${f.activity ? ` (activity ${f.activity})` : ''}`;
}

/** "InvalidEvidenceInput: cannot read the snapshot file …". */
export function failureCause(f: UpgradeFailure): string {
  return `${f.type}: ${f.message}`;
}

/** Messages of the links below the primary cause that add something (e.g. the ENOENT under "cannot read…"). */
export function underlyingCauses(f: UpgradeFailure): string[] {
  const index = primaryCauseIndex(f.chain);
  const seen = new Set([f.message]);
  const out: string[] = [];
  for (const link of f.chain.slice(index + 1)) {
    if (!link.message || seen.has(link.message)) continue;
    seen.add(link.message);
    out.push(link.message);
  }
  return out;
}
