// The campaign workflow's state and how it shows itself: the status query, the Web UI's current details and the
// EksWave search attribute, all from one place. The state is plain data, so continue-as-new carries it whole.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CampaignPlan } from '../domain/campaign-plan';
import {
  autoGateBlockers,
  campaignHeadline,
  countVerdicts,
  initialClusters,
  PATH_FINISHED,
  stopFirings,
  stopReasons,
  type ClusterProgress,
} from '../domain/campaign-progress';
import type { CampaignCarry, CampaignInput, CampaignPhase, CampaignStatus, OperatorAction } from './campaign-messages';
import { upgradeWorkflowId } from './constants';
import { EKS_WAVE } from './search-attributes';

const MAX_ACTIONS = 200;

export class CampaignState {
  readonly plan: CampaignPlan;
  readonly carry: CampaignCarry;
  /** Set while the operator has not answered a stop: the reasons. */
  stopped: string[] = [];
  endedAt?: string;

  constructor(
    readonly input: CampaignInput,
    readonly campaignId: string,
  ) {
    this.plan = input.plan;
    const info = workflowInfo();
    this.carry = input.carried ?? {
      clusters: initialClusters(input.plan, upgradeWorkflowId),
      waves: input.plan.waves.map((w) => ({ name: w.name, state: 'pending', stopsAcknowledged: 0 })),
      waveIndex: 0,
      paused: false,
      actions: [],
      startedAt: new Date().toISOString(),
      run: 1,
      campaignRunId: info.firstExecutionRunId,
      gatePassed: false,
      pendingAborts: [],
    };
  }

  get clusters(): ClusterProgress[] {
    return this.carry.clusters;
  }

  cluster(name: string): ClusterProgress | undefined {
    return this.carry.clusters.find((c) => c.name === name);
  }

  get wave() {
    return this.plan.waves[this.carry.waveIndex];
  }

  get waveProgress() {
    return this.carry.waves[this.carry.waveIndex];
  }

  isFinished(): boolean {
    return this.endedAt !== undefined;
  }

  isAborting(): boolean {
    return this.carry.abortReason !== undefined;
  }

  waveClusters(): ClusterProgress[] {
    const wave = this.wave;
    return wave ? this.carry.clusters.filter((c) => c.wave === this.carry.waveIndex) : [];
  }

  waveFinished(): boolean {
    return this.waveClusters().every((c) => PATH_FINISHED.has(c.path));
  }

  /** Re-reads the stop conditions; a firing the operator has not answered stops the campaign. */
  checkStops(): void {
    const wave = this.wave;
    const progress = this.waveProgress;
    if (!wave || !progress) return;
    const firings = stopFirings(wave, this.carry.clusters);
    this.stopped = firings > progress.stopsAcknowledged ? stopReasons(wave, this.carry.clusters) : [];
  }

  phase(): CampaignPhase {
    if (this.endedAt) return this.isAborting() ? 'aborted' : 'completed';
    if (this.stopped.length > 0) return 'stopped';
    if (this.carry.paused) return 'paused';
    const w = this.waveProgress?.state;
    return w === 'baking' ? 'baking' : w === 'at-gate' ? 'at-gate' : 'running';
  }

  record(action: Omit<OperatorAction, 'at'>): OperatorAction {
    const entry = { at: new Date().toISOString(), ...action };
    this.carry.actions.push(entry);
    if (this.carry.actions.length > MAX_ACTIONS) this.carry.actions.splice(0, this.carry.actions.length - MAX_ACTIONS);
    return entry;
  }

  status(): CampaignStatus {
    const wave = this.wave;
    return {
      campaignId: this.campaignId,
      name: this.plan.name,
      ...(this.plan.description ? { description: this.plan.description } : {}),
      targetVersion: this.plan.targetVersion,
      mode: this.plan.mode,
      phase: this.phase(),
      headline: campaignHeadline(this.plan, this.carry.waveIndex, this.carry.clusters),
      waveIndex: this.carry.waveIndex,
      waves: this.plan.waves.map((w, i) => {
        const { clusters, ...rest } = w;
        return {
          ...rest,
          ...(this.carry.waves[i] ?? { name: w.name, state: 'pending', stopsAcknowledged: 0 }),
          clusterCount: clusters.length,
        };
      }),
      clusters: this.carry.clusters,
      counts: countVerdicts(this.carry.clusters),
      stopReasons: this.stopped,
      gateBlockers:
        wave && this.waveProgress?.state === 'at-gate' && wave.gate === 'auto'
          ? autoGateBlockers(wave, this.carry.clusters)
          : [],
      actions: this.carry.actions,
      startedAt: this.carry.startedAt,
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      ...(this.carry.abortReason ? { abortReason: this.carry.abortReason } : {}),
      run: this.carry.run,
      historyLength: workflowInfo().historyLength,
    };
  }

  /** Current details (Web UI) and the EksWave search attribute. */
  publish(): void {
    const s = this.status();
    const lines = [`**${s.headline}**`, '', `phase \`${s.phase}\` · run ${s.run}`];
    const wave = s.waves[s.waveIndex];
    if (wave && !this.endedAt) {
      const waiting = this.waveClusters().flatMap((c) => c.hops.filter((h) => h.state === 'awaiting-approval'));
      lines.push(
        '',
        `Wave **${wave.name}** (${wave.state}): ${wave.clusterCount} clusters, maxParallel ${wave.maxParallel}`,
      );
      if (wave.bakeUntil && wave.state === 'baking') lines.push(`baking until ${wave.bakeUntil}`);
      if (waiting.length > 0)
        lines.push(
          '',
          `${waiting.length} upgrade(s) wait for approval: \`eks-upgrade campaign approve --name ${this.plan.name}\``,
        );
    }
    if (s.stopReasons.length > 0)
      lines.push(
        '',
        'Stopped (answer with `campaign continue`, `skip-cluster` or `abort`):',
        '',
        ...s.stopReasons.map((r) => `- ${r}`),
      );
    if (s.gateBlockers.length > 0)
      lines.push('', `Gate held: ${s.gateBlockers.join(', ')} — \`campaign continue\` to promote`);
    if (s.abortReason) lines.push('', `Aborted: ${s.abortReason}`);
    setCurrentDetails(lines.join('\n'));
    if (wave) upsertSearchAttributes([{ key: EKS_WAVE, value: wave.name }]);
  }
}
