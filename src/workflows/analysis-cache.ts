// One shared analysis (`analysis-<template>-<from>-<to>-<hash>`): computed once for every upgrade whose prompt is
// identical — the release-notes analysis of a version pair, or two clusters with the same evidence. Callers start
// or join it (workflowIdConflictPolicy USE_EXISTING) and await its result; a completed one is read from its result
// while it is fresher than the cache TTL. Its one activity makes the Bedrock call through the guard, like any other.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SharedAnalysisActivities, SharedAnalysisInput, SharedAnalysisResult } from '../activities/analysis-cache';
import { BEDROCK_RETRY } from './upgrade/proxies';

export async function sharedAnalysisWorkflow(input: SharedAnalysisInput): Promise<SharedAnalysisResult> {
  const { computeSharedAnalysis } = proxyActivities<SharedAnalysisActivities>({
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    retry: BEDROCK_RETRY,
    summary: `Bedrock: ${input.template} (shared)`,
  });
  const result = await computeSharedAnalysis(input);
  return {
    key: input.key,
    result,
    producedBy: input.requestedBy,
    producedAt: new Date().toISOString(),
    workflowId: workflowInfo().workflowId,
  };
}
