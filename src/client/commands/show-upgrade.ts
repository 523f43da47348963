// Printing what readUpgrade found, for `status`, `start` (already running, or --wait) and `report`: the workflow's
// own status when it could answer, else what the server knows; a failure always with its phase and cause.
import type { CommandContext } from '../context';
import { emit, renderServerOnlyStatus, renderStatus, toJson, type ServerOnlyStatus } from '../output';
import { readingExitCode, type UpgradeReading } from '../upgrade-reading';
import type { OutputFormat } from '../usage';

function serverOnly(reading: UpgradeReading): ServerOnlyStatus {
  const { view } = reading;
  return {
    workflowId: view.workflowId,
    executionStatus: view.status,
    ...(view.phase ? { phase: view.phase } : {}),
    ...(view.decision ? { decision: view.decision } : {}),
    ...(reading.failure ? { failure: reading.failure } : {}),
  };
}

/**
 * Prints the status (JSON: the UpgradeStatus plus `executionStatus`; without a worker's answer, the server's view)
 * and returns the exit code: 0 healthy or done, 1 failed or unanswered.
 */
export function printReading(reading: UpgradeReading, format: OutputFormat, ctx: CommandContext): number {
  if (reading.unanswered) ctx.out.info(reading.unanswered);
  if (reading.status) {
    const status = reading.failure ? { ...reading.status, failure: reading.failure } : reading.status;
    if (format === 'json') ctx.out.result(toJson({ ...status, executionStatus: reading.view.status }));
    else ctx.out.result(renderStatus(status, format));
  } else {
    const view = serverOnly(reading);
    if (format === 'json') ctx.out.result(toJson({ ...view, server: reading.view }));
    else emit(ctx.out, format, view, renderServerOnlyStatus);
  }
  return readingExitCode(reading);
}
