// Before a control-plane rollback: refresh the cluster insights (StartInsightsRefresh, then DescribeInsightsRefresh
// until it ends, heartbeating) and read the ROLLBACK_READINESS insights. ERROR and UNKNOWN block; `force` on the
// rollback would skip them, which is the operator's decision, not this activity's.
import {
  DescribeInsightsRefreshCommand,
  paginateListInsights,
  StartInsightsRefreshCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import type { RollbackReadinessInput, RollbackReadinessResult } from '../contracts';
import { toActivityFailure } from './errors';

export interface ReadinessRuntime {
  heartbeat(details: unknown): void;
  sleep(ms: number): Promise<void>;
}

const BLOCKING = new Set(['ERROR', 'UNKNOWN']);

export async function checkRollbackReadiness(
  eks: EKSClient,
  input: RollbackReadinessInput,
  runtime: ReadinessRuntime,
): Promise<RollbackReadinessResult> {
  const { clusterName } = input.target;
  try {
    await eks.send(new StartInsightsRefreshCommand({ clusterName }));
    let refreshStatus = 'IN_PROGRESS';
    while (refreshStatus === 'IN_PROGRESS') {
      await runtime.sleep(input.pollIntervalMs ?? 10_000);
      refreshStatus = (await eks.send(new DescribeInsightsRefreshCommand({ clusterName }))).status ?? 'UNKNOWN';
      runtime.heartbeat({ refreshStatus });
    }
    const blocking: RollbackReadinessResult['blocking'] = [];
    for await (const page of paginateListInsights(
      { client: eks },
      { clusterName, filter: { categories: ['ROLLBACK_READINESS'] } },
    )) {
      for (const insight of page.insights ?? []) {
        const status = insight.insightStatus?.status ?? 'UNKNOWN';
        if (!BLOCKING.has(status)) continue;
        blocking.push({
          id: insight.id ?? '',
          name: insight.name ?? '',
          status,
          ...(insight.insightStatus?.reason ? { reason: insight.insightStatus.reason } : {}),
        });
      }
    }
    return { ready: blocking.length === 0 && refreshStatus === 'COMPLETED', blocking, refreshStatus };
  } catch (error) {
    throw toActivityFailure(error, `rollback readiness of ${clusterName}`);
  }
}
