// Messages of the upgrade workflow, shared by the workflow and the client (samples-typescript's shared.ts).
// OWNED BY THE UPGRADE WORKFLOW WORK (issue 3): extend, do not rename; the client depends on these names.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import type { AnalysisResult, SkippedAnalysis, UpgradeVerdict, RollbackVerdict } from '../domain/analysis';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../domain/evidence';

const MINOR_VERSION = /^1\.\d{1,2}$/;

export const UpgradeInputSchema = z.strictObject({
  /** EKS cluster names: 1–100 characters, letters, digits, hyphens and underscores, starting alphanumeric. */
  clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, { error: 'expected an EKS cluster name (letters, digits, - and _, up to 100 characters)' }),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'expected an AWS region such as us-east-1' }).optional(),
  currentVersion: z.string().regex(MINOR_VERSION, { error: 'expected a Kubernetes minor version such as 1.30' }).optional(),
  targetVersion: z.string().regex(MINOR_VERSION, { error: 'expected a Kubernetes minor version such as 1.31' }),
  inventory: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('snapshot'), path: z.string().min(1) }),
    z.strictObject({ kind: z.literal('eks') }),
  ]),
  manifestPaths: z.array(z.string().min(1)).default([]),
  releaseNotes: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
      z.strictObject({ kind: z.literal('kubernetes-changelog') }),
      z.strictObject({ kind: z.literal('none') }),
    ])
    .default({ kind: 'kubernetes-changelog' }),
  mode: z.enum(['analyze', 'execute']).default('analyze'),
  approval: z.enum(['manual', 'auto']).default('manual'),
  /** false: deterministic rules only, every analysis recorded as skipped (e.g. no AWS credentials). */
  aiAnalysis: z.boolean().default(true),
  /** How long the soak window after approval stays open for `requestRollback`, in ms. */
  soakWindowMs: z.number().int().min(0).max(30 * 24 * 3600 * 1000).default(3600 * 1000),
  /** How long to wait for approve/abort before giving up, in ms. */
  approvalTimeoutMs: z.number().int().min(1000).max(30 * 24 * 3600 * 1000).default(7 * 24 * 3600 * 1000),
});
export type UpgradeInput = z.input<typeof UpgradeInputSchema>;
export type ValidUpgradeInput = z.output<typeof UpgradeInputSchema>;

export type UpgradePhase =
  | 'inventory'
  | 'evidence'
  | 'analysis'
  | 'decision'
  | 'awaiting-approval'
  | 'execution'
  | 'soak'
  | 'report'
  | 'completed'
  | 'aborted';

export interface RuleBlocker {
  /** Check code (readiness) or `API-REMOVED` style code for removed APIs in use. */
  code: string;
  message: string;
}

export interface UpgradeDecision {
  verdict: UpgradeVerdict;
  severityScore: number;
  confidence: number;
  reasons: string[];
  blockers: RuleBlocker[];
  /** `rules` when the AI decision was skipped; `rules+ai` when the model decided within the rules' bounds. */
  basis: 'rules' | 'rules+ai';
  aiVerdict?: UpgradeVerdict;
}

export interface RollbackRecord {
  requestedAt: string;
  reason: string;
  verdict: RollbackVerdict;
  reasons: string[];
  basis: 'rules' | 'rules+ai';
  /** What was done about it (EKS cannot roll a control plane back in most cases: then, what to do by hand). */
  action: string;
}

export interface UpgradeStatus {
  workflowId: string;
  clusterName: string;
  currentVersion?: string;
  targetVersion: string;
  phase: UpgradePhase;
  progress: { done: number; total: number };
  findingsCount: number;
  decision?: UpgradeDecision;
  approval: 'pending' | 'approved' | 'auto-approved' | 'aborted' | 'not-requested';
  costUsd: number;
  skippedAnalyses: SkippedAnalysis[];
  rollbacks: RollbackRecord[];
}

export interface UpgradeReport {
  status: UpgradeStatus;
  releaseNotes?: ReleaseNotesExtract;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
  analyses: AnalysisResult[];
  execution: string;
}

export const approveSignal = defineSignal<[{ by?: string; comment?: string }]>('approve');
export const abortSignal = defineSignal<[{ reason: string; by?: string }]>('abort');
export const requestRollbackSignal = defineSignal<[{ reason: string; evidence?: string; by?: string }]>('requestRollback');

export const statusQuery = defineQuery<UpgradeStatus>('status');
export const reportQuery = defineQuery<UpgradeReport>('report');
