// Messages of the upgrade workflow, shared by the workflow and the client (samples-typescript's shared.ts): the
// input contract, the updates and queries, and the Web UI's static metadata. Workflows already running and clients
// already deployed use these names: extend them, do not rename them.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ROLE_ARN, ROLE_ARN_HINT, ROLE_SESSION_NAME } from '../domain/aws-role';
import type { RollbackRecord } from '../domain/rollback';
import type {
  ConfirmRollbackRequest,
  ConfirmRollbackResult,
  PauseRequest,
  PauseResult,
  ResumeRequest,
  ResumeResult,
  RetryRequest,
  RetryResult,
  SkipRequest,
  SkipResult,
} from '../domain/execution-requests';
import type {
  AbortRequest,
  AbortResult,
  ApproveRequest,
  ApproveResult,
  RollbackRequest,
} from '../domain/upgrade-requests';
import type { UpgradeReport, UpgradeStatus } from '../domain/upgrade-report';
import { MINOR_VERSION_PATTERN as MINOR_VERSION } from '../domain/versions';
import { UpgradeConfigSchema } from '../domain/suppressions';

/**
 * A later hop of a multi-minor path analysed before the earlier hops ran (analyze mode): read the cluster as the
 * earlier hops will leave it (src/domain/campaign-projection.ts), e.g. the 1.29 snapshot moved to 1.30.
 */
const assumeUpgradedTo = z
  .string()
  .regex(MINOR_VERSION, { error: 'expected a Kubernetes minor version such as 1.30' })
  .optional();

export const ExecutionOptionsSchema = z.strictObject({
  /** Node groups updated at once (the plan's node-group stage). */
  nodegroupConcurrency: z.number().int().min(1).max(20).default(1),
  /** Nodes each node group replaces at once; when it differs from a group's setting, a config step comes first. */
  maxUnavailable: z.number().int().min(1).max(100).optional(),
  /** Launch-template versions to roll out, by node group (custom AMIs). */
  launchTemplateVersions: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** UpdateAddon resolveConflicts (PRESERVE keeps changed fields). */
  resolveConflicts: z.enum(['OVERWRITE', 'NONE', 'PRESERVE']).default('PRESERVE'),
  /** DescribeUpdate every this long inside the step activities, in ms. */
  pollIntervalMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Heartbeat timeout of the step activities, in ms (default: twice the poll interval, at least 10 s). */
  heartbeatTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
  /** Stop before each stage after the first until `resume`. */
  pauseBetweenStages: z.boolean().default(false),
  /** Run the rollback plan as soon as a ROLLBACK verdict is given, without waiting for confirmRollback. */
  autoRollback: z.boolean().default(false),
  /** Node groups in a rollback: `try` UpdateNodegroupVersion to the previous version, `manual` a blue/green swap. */
  nodegroupDowngrade: z.enum(['try', 'manual']).default('try'),
  /** How the EKS API this upgrade acts on is named in its status, report and Web UI (the demo: "simulated EKS"). */
  targetLabel: z.string().trim().min(1).max(100).optional(),
});
export type ExecutionOptions = z.output<typeof ExecutionOptionsSchema>;

export const UpgradeInputSchema = z
  .strictObject({
    /** EKS cluster names: 1–100 characters, letters, digits, hyphens and underscores, starting alphanumeric. */
    clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, {
      error: 'expected an EKS cluster name (letters, digits, - and _, up to 100 characters)',
    }),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'expected an AWS region such as us-east-1' })
      .optional(),
    currentVersion: z
      .string()
      .regex(MINOR_VERSION, { error: 'expected a Kubernetes minor version such as 1.30' })
      .optional(),
    /** An IAM role in the cluster's account: the worker assumes it to read the cluster (inventory kind eks). */
    roleArn: z.string().regex(ROLE_ARN, { error: ROLE_ARN_HINT }).optional(),
    /** The STS session name for that role (CloudTrail shows it); default eks-upgrade.<workflow id>. */
    roleSessionName: z
      .string()
      .regex(ROLE_SESSION_NAME, { error: 'expected 2-64 characters of letters, digits and _+=,.@-' })
      .optional(),
    targetVersion: z.string().regex(MINOR_VERSION, { error: 'expected a Kubernetes minor version such as 1.31' }),
    inventory: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('snapshot'), path: z.string().min(1), assumeUpgradedTo }),
      z.strictObject({ kind: z.literal('eks'), assumeUpgradedTo }),
    ]),
    manifestPaths: z.array(z.string().min(1)).default([]),
    /** .eks-upgrade.yaml as read by the client: suppressions, per-check knobs, extra API versions. */
    config: UpgradeConfigSchema.optional(),
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
    soakWindowMs: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600 * 1000)
      .default(3600 * 1000),
    /** How long to wait for approve/abort before giving up, in ms. */
    approvalTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(30 * 24 * 3600 * 1000)
      .default(7 * 24 * 3600 * 1000),
    /**
     * Heartbeat timeout of the Bedrock analysis activities, in ms: how soon a call whose worker died is retried
     * elsewhere. The activities heartbeat while they wait and while the model answers.
     */
    analysisHeartbeatTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
    /**
     * Heartbeat timeout of the inventory and evidence activities, in ms: how soon one whose worker died is retried
     * elsewhere, and how soon an abort reaches it. They heartbeat every second while they run.
     */
    evidenceHeartbeatTimeoutMs: z.number().int().min(1000).max(600_000).default(15_000),
    /** How the plan is made (every mode) and executed (execute mode). */
    execution: ExecutionOptionsSchema.prefault({}),
  })
  .superRefine((input, ctx) => {
    if (input.roleArn && input.inventory.kind !== 'eks') {
      ctx.addIssue({
        code: 'custom',
        path: ['roleArn'],
        message: 'roleArn is assumed to read the cluster from the EKS API (inventory kind eks); a snapshot needs none',
      });
    }
    if (input.roleArn && input.mode === 'execute') {
      ctx.addIssue({
        code: 'custom',
        path: ['roleArn'],
        message:
          "the EKS changes of execute mode are made with the worker's own credentials, not roleArn: run the worker with credentials for the cluster's account",
      });
    }
    if (input.inventory.kind === 'eks' && !input.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: 'reading the cluster from the EKS API needs a region such as us-east-1',
      });
    }
    if (
      input.currentVersion &&
      Number(input.targetVersion.split('.')[1]) <= Number(input.currentVersion.split('.')[1])
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetVersion'],
        message: `expected a version newer than currentVersion ${input.currentVersion}`,
      });
    }
  });
export type UpgradeInput = z.input<typeof UpgradeInputSchema>;
export type ValidUpgradeInput = z.output<typeof UpgradeInputSchema>;

// The status and report shapes live in src/domain (renderers need no workflow code); re-exported under the
// contract's names so the client keeps importing them from here.
export type {
  ApprovalState,
  BlockerOverride,
  FailureLink,
  UpgradeFailure,
  UpgradePhase,
  UpgradeReport,
  UpgradeStatus,
} from '../domain/upgrade-report';
export type { RuleBlocker, UpgradeDecision } from '../domain/decision';
export type { RollbackRecord } from '../domain/rollback';
export type {
  AbortRequest,
  AbortResult,
  ApproveRequest,
  ApproveResult,
  RollbackRequest,
} from '../domain/upgrade-requests';
export type {
  ConfirmRollbackRequest,
  ConfirmRollbackResult,
  PauseRequest,
  PauseResult,
  ResumeRequest,
  ResumeResult,
  RetryRequest,
  RetryResult,
  SkipRequest,
  SkipResult,
} from '../domain/execution-requests';
export type { ExecutionProgress, RollbackProposal } from '../domain/execution';

/** Why an input was refused: the field (dotted path) and what is expected there. */
export interface InputProblem {
  field: string;
  message: string;
}

/** Validates an upgrade input; the workflow and the client both use it, so they refuse the same things. */
export function parseUpgradeInput(
  raw: unknown,
): { ok: true; input: ValidUpgradeInput } | { ok: false; problems: InputProblem[] } {
  const result = UpgradeInputSchema.safeParse(raw);
  if (result.success) return { ok: true, input: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((i) => ({
      field: i.path.map(String).join('.') || '(input)',
      message: i.message,
    })),
  };
}

function versionPath(input: Pick<UpgradeInput, 'currentVersion' | 'targetVersion'>): string {
  return input.currentVersion ? `${input.currentVersion}→${input.targetVersion}` : `→${input.targetVersion}`;
}

/** The Web UI's one-line static summary, set by the client at start (200 bytes at most). */
export function upgradeStaticSummary(
  input: Pick<UpgradeInput, 'clusterName' | 'currentVersion' | 'targetVersion' | 'mode'>,
): string {
  return `${input.clusterName} ${versionPath(input)}: EKS upgrade ${input.mode === 'execute' ? 'execution' : 'analysis'}`.slice(
    0,
    200,
  );
}

/** The Web UI's static details (Markdown): what was asked, set by the client at start. */
export function upgradeStaticDetails(input: UpgradeInput): string {
  const inventory =
    input.inventory.kind === 'snapshot'
      ? `snapshot \`${input.inventory.path}\``
      : `EKS API (${input.region ?? 'default region'})`;
  const notes = input.releaseNotes ?? { kind: 'kubernetes-changelog' };
  return [
    `**${input.clusterName}** ${versionPath(input)} — mode \`${input.mode ?? 'analyze'}\`, approval \`${input.approval ?? 'manual'}\`, AI analysis ${input.aiAnalysis === false ? 'off' : 'on'}`,
    '',
    `- Inventory: ${inventory}`,
    `- Manifests: ${(input.manifestPaths ?? []).length === 0 ? 'none' : (input.manifestPaths ?? []).map((p) => `\`${p}\``).join(', ')}`,
    `- Release notes: ${notes.kind === 'file' ? `\`${notes.path}\`` : notes.kind}`,
  ].join('\n');
}

/**
 * Updates, each with a validator: a request the current phase does not hear is refused at once with the reason
 * (src/domain/upgrade-requests.ts holds the rules).
 * - approve: returns once the gate has opened, with the phase the upgrade moved to.
 * - abort: cancels the running work (activities included) and returns once the workflow has stopped it.
 * - requestRollback: returns the rollback verdict (heard during the soak window only).
 */
export const approveUpdate = defineUpdate<ApproveResult, [ApproveRequest]>('approve');
export const abortUpdate = defineUpdate<AbortResult, [AbortRequest]>('abort');
export const requestRollbackUpdate = defineUpdate<RollbackRecord, [RollbackRequest]>('requestRollback');

/**
 * Execute mode (src/domain/execution-requests.ts holds their rules). Each answers at once, once the workflow has
 * taken the decision; the run then acts on it.
 * - retry: runs a failed step again as a new operator round (a new EKS token), optionally with force (audited).
 * - skip: leaves a failed or manual step (never the control plane), or goes on despite drift.
 * - pause / resume: the run stops before its next step; running EKS updates go on (EKS cannot pause them).
 * - confirmRollback: runs the proposed rollback plan (soak window), or stops the upgrade to roll back.
 */
export const retryUpdate = defineUpdate<RetryResult, [RetryRequest]>('retry');
export const skipUpdate = defineUpdate<SkipResult, [SkipRequest]>('skip');
export const pauseUpdate = defineUpdate<PauseResult, [PauseRequest]>('pause');
export const resumeUpdate = defineUpdate<ResumeResult, [ResumeRequest]>('resume');
export const confirmRollbackUpdate = defineUpdate<ConfirmRollbackResult, [ConfirmRollbackRequest]>('confirmRollback');

export const statusQuery = defineQuery<UpgradeStatus>('status');
export const reportQuery = defineQuery<UpgradeReport>('report');
