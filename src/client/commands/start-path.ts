// `start --target` more than one minor ahead: the path runs as successive one-minor hops, each its own upgrade
// workflow (`upgrade-<cluster>-<to>`, with its own evidence, decision and approval), coordinated by a campaign of
// one cluster (`campaign-path-<cluster>-<target>`). A NO_GO hop stops the path.
import { hopPath, type CampaignPlan } from '../../domain/campaign-plan';
import type { ValidUpgradeInput } from '../../workflows/upgrade-messages';
import { workflowUiLink } from '../connection';
import type { CommandContext } from '../context';
import { toJson } from '../output';
import { EXIT_FAILURE, EXIT_OK } from '../usage';
import { campaignStartOptions, readCampaign, startCampaignOnce } from './campaign';
import { renderCampaign } from './campaign-render';

/** The one-cluster campaign of a multi-minor path. */
export function pathPlan(input: ValidUpgradeInput, currentVersion: string): CampaignPlan {
  const name = `path-${input.clusterName}-${input.targetVersion}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
  const notes = input.releaseNotes;
  const { assumeUpgradedTo: _ignored, ...inventory } = input.inventory;
  return {
    name,
    description: `${input.clusterName} ${currentVersion} → ${input.targetVersion}, one minor at a time`,
    targetVersion: input.targetVersion,
    mode: input.mode,
    releaseNotes: notes.kind === 'file' ? notes.path : notes.kind === 'none' ? 'none' : 'changelog',
    aiAnalysis: input.aiAnalysis,
    soakWindowMs: input.soakWindowMs,
    approvalTimeoutMs: input.approvalTimeoutMs,
    analysisCache: true,
    analysisHeartbeatTimeoutMs: input.analysisHeartbeatTimeoutMs,
    waves: [
      {
        name: 'path',
        maxParallel: 1,
        bakeTimeMs: 0,
        gate: 'auto',
        upgradeApproval: input.approval,
        stopOn: { noGo: false },
        clusters: [input.clusterName],
      },
    ],
    clusters: [
      {
        name: input.clusterName,
        wave: 0,
        ...(input.region ? { region: input.region } : {}),
        ...(input.roleArn ? { roleArn: input.roleArn } : {}),
        inventory: inventory.kind === 'snapshot' ? { kind: 'snapshot', path: inventory.path } : { kind: 'eks' },
        currentVersion,
        hops: hopPath(currentVersion, input.targetVersion),
        manifests: input.manifestPaths,
        labels: {},
      },
    ],
  };
}

export async function runStartPath(
  input: ValidUpgradeInput,
  currentVersion: string,
  flags: { wait?: boolean; format: string; waitMs: number },
  ctx: CommandContext,
): Promise<number> {
  const plan = pathPlan(input, currentVersion);
  const { client, namespace } = await ctx.connect();
  const options = campaignStartOptions(
    plan,
    { upgradeTaskQueue: ctx.taskQueue, startedBy: ctx.env.USER ?? 'cli' },
    ctx.taskQueue,
  );
  const hops = plan.clusters[0]?.hops ?? [];
  if (!(await startCampaignOnce(client, options, plan.name, ctx))) return EXIT_FAILURE;
  const link = workflowUiLink(ctx.uiUrl, namespace, options.workflowId);
  ctx.out.info(
    `${input.clusterName} ${currentVersion} → ${input.targetVersion} runs as ${hops.length} hops, one upgrade workflow each: ${hops.map((h) => `upgrade-${input.clusterName}-${h.to}`).join(', ')}\nstarted ${options.workflowId}\nWeb UI: ${link}`,
  );
  if (!flags.wait) {
    ctx.out.result(
      flags.format === 'json'
        ? toJson({
            workflowId: options.workflowId,
            hops: hops.map((h) => ({ ...h, workflowId: `upgrade-${input.clusterName}-${h.to}` })),
            webUi: link,
          })
        : `${options.workflowId}\n${link}`,
    );
    return EXIT_OK;
  }
  // Follow the path until it ends or a hop waits for a person.
  const deadline = Date.now() + flags.waitMs;
  for (;;) {
    const status = await readCampaign(client, options.workflowId).catch(() => undefined);
    const waiting = status?.clusters.some((c) => c.hops.some((h) => h.state === 'awaiting-approval'));
    if (status && (status.phase === 'completed' || waiting || Date.now() > deadline)) {
      ctx.out.result(
        flags.format === 'json' ? toJson(status) : renderCampaign(status, flags.format === 'md' ? 'md' : 'text'),
      );
      if (waiting)
        ctx.out.info(
          `a hop waits for approval: eks-upgrade campaign approve --name ${plan.name} (or approve the upgrade itself)`,
        );
      return EXIT_OK;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
