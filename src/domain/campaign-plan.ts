// From a validated campaign file to the plan a campaign workflow runs: every cluster in exactly one wave, and each
// cluster's path to the target as one-minor hops (1.29 → 1.32 is 1.30, 1.31, 1.32). Pure; the client resolves
// paths and reads snapshots, and passes what it learnt in.
import {
  CampaignFileError,
  type CampaignClusterSpec,
  type CampaignFile,
  type CampaignProblem,
  type CampaignWaveSpec,
  type Locate,
} from './campaign';
import { compareMinor, nextMinor, tryParseMinor } from './versions';

/** One upgrade of one cluster by one minor: its own workflow `upgrade-<cluster>-<to>`. */
export interface Hop {
  from: string;
  to: string;
}

export interface PlannedCluster {
  name: string;
  /** Index into plan.waves. */
  wave: number;
  region?: string;
  /** The role the worker assumes to read the (live) cluster. */
  roleArn?: string;
  inventory: { kind: 'snapshot'; path: string } | { kind: 'eks' };
  currentVersion: string;
  /** Empty when the cluster is already at the target. */
  hops: Hop[];
  manifests: string[];
  labels: Record<string, string>;
}

export interface PlannedWave {
  name: string;
  maxParallel: number;
  bakeTimeMs: number;
  gate: 'manual' | 'auto';
  upgradeApproval: 'manual' | 'auto';
  stopOn: { noGo: boolean; failedPercent?: number };
  /** Cluster names, in file order. */
  clusters: string[];
}

export interface CampaignPlan {
  name: string;
  description?: string;
  targetVersion: string;
  mode: 'analyze' | 'execute';
  /** `changelog`, `none`, or an absolute file/directory path. */
  releaseNotes: string;
  aiAnalysis: boolean;
  soakWindowMs: number;
  approvalTimeoutMs: number;
  analysisCache: boolean;
  analysisHeartbeatTimeoutMs?: number;
  waves: PlannedWave[];
  clusters: PlannedCluster[];
}

/** What the client learnt about one cluster's inventory (from its snapshot file, or the file's live entry). */
export interface ResolvedInventory {
  inventory: PlannedCluster['inventory'];
  currentVersion: string;
}

export interface PlanContext {
  locate: Locate;
  /** Makes a path from the file absolute (relative to the campaign file's directory). */
  resolvePath: (path: string) => string;
  /** Reads the cluster's snapshot (or trusts its live entry); throws an Error whose message says what is wrong. */
  resolveInventory: (cluster: CampaignClusterSpec, index: number) => ResolvedInventory;
}

/** The hops from one minor to another, one minor at a time; empty when already there. */
export function hopPath(from: string, to: string): Hop[] {
  const hops: Hop[] = [];
  for (let v = from; compareMinor(v, to) < 0; v = nextMinor(v)) hops.push({ from: v, to: nextMinor(v) });
  return hops;
}

function matches(cluster: CampaignClusterSpec, labels: Record<string, string> | undefined): boolean {
  return Object.entries(labels ?? {}).every(([k, v]) => cluster.labels?.[k] === v);
}

/** Assigns every cluster to exactly one wave, in file order; problems point at the select that caused them. */
export function assignWaves(file: CampaignFile, locate: Locate): { waves: string[][]; problems: CampaignProblem[] } {
  const problems: CampaignProblem[] = [];
  const at = (path: PropertyKey[], field: string, message: string) =>
    problems.push({ ...locate(path), field, message });
  const assigned = new Map<string, number>();
  const byName = new Map(file.clusters.map((c, i) => [c.name, i] as const));
  file.clusters.forEach((c, i) => {
    if (byName.get(c.name) !== i)
      at(['clusters', i, 'name'], `clusters[${i}].name`, `cluster '${c.name}' is listed twice`);
  });
  const names = new Set<string>();
  const waves = file.strategy.waves.map((wave: CampaignWaveSpec, w) => {
    const base = ['strategy', 'waves', w];
    if (names.has(wave.name))
      at([...base, 'name'], `strategy.waves[${w}].name`, `wave name '${wave.name}' is used twice`);
    names.add(wave.name);
    const free = file.clusters.filter((c) => !assigned.has(c.name));
    let chosen: string[];
    const { select } = wave;
    if (select.clusters) {
      chosen = [];
      select.clusters.forEach((name, i) => {
        const field = `strategy.waves[${w}].select.clusters[${i}]`;
        const prior = assigned.get(name);
        if (!byName.has(name)) at([...base, 'select', 'clusters', i], field, `no cluster named '${name}' in clusters`);
        else if (prior !== undefined)
          at(
            [...base, 'select', 'clusters', i],
            field,
            `'${name}' is already in wave '${file.strategy.waves[prior]?.name}'`,
          );
        else chosen.push(name);
      });
    } else if (select.rest) {
      chosen = free.map((c) => c.name);
    } else {
      const pool = file.clusters.filter((c) => matches(c, select.labels));
      const want = select.percent === undefined ? pool.length : Math.ceil((pool.length * select.percent) / 100);
      chosen = pool
        .filter((c) => !assigned.has(c.name))
        .slice(0, want)
        .map((c) => c.name);
    }
    if (chosen.length === 0 && !select.clusters)
      at([...base, 'select'], `strategy.waves[${w}].select`, `wave '${wave.name}' selects no cluster`);
    for (const name of chosen) assigned.set(name, w);
    return chosen;
  });
  file.clusters.forEach((c, i) => {
    if (!assigned.has(c.name))
      at(
        ['clusters', i, 'name'],
        `clusters[${i}]`,
        `cluster '${c.name}' is in no wave: add it to a wave's select, or end the strategy with a wave that selects rest: true`,
      );
  });
  return { waves, problems };
}

/** Builds the plan, or throws CampaignFileError listing every problem with its line. */
export function planCampaign(file: CampaignFile, source: string, ctx: PlanContext): CampaignPlan {
  const { waves, problems } = assignWaves(file, ctx.locate);
  const waveOf = new Map<string, number>();
  waves.forEach((names, w) => names.forEach((n) => waveOf.set(n, w)));
  const clusters: PlannedCluster[] = [];
  file.clusters.forEach((c, i) => {
    const problem = (path: PropertyKey[], field: string, message: string) =>
      problems.push({ ...ctx.locate(['clusters', i, ...path]), field: `clusters[${i}]${field}`, message });
    if (c.roleArn && !('live' in c.inventory))
      problem(
        ['roleArn'],
        '.roleArn',
        'roleArn is assumed to read a live cluster (inventory: { live: true, ... }); a snapshot needs none: remove roleArn',
      );
    if (c.roleArn && file.mode === 'execute')
      problem(
        ['roleArn'],
        '.roleArn',
        "execute mode makes its EKS changes with the worker's own credentials, not roleArn: run the worker with credentials for the cluster's account",
      );
    const region = c.region ?? file.defaults.region;
    if ('live' in c.inventory && !region)
      problem(['region'], '.region', 'a live cluster needs a region (here or in defaults.region)');
    let resolved: ResolvedInventory;
    try {
      resolved = ctx.resolveInventory(c, i);
    } catch (err) {
      const path = 'snapshot' in c.inventory ? ['inventory', 'snapshot'] : ['inventory'];
      problem(path, `.${path.join('.')}`, (err as Error).message);
      return;
    }
    if (!tryParseMinor(resolved.currentVersion)) {
      problem(['inventory'], '.inventory', `'${resolved.currentVersion}' is not a Kubernetes minor version`);
      return;
    }
    if (compareMinor(resolved.currentVersion, file.targetVersion) > 0) {
      problem(
        ['inventory'],
        '.inventory',
        `'${c.name}' runs ${resolved.currentVersion}, newer than targetVersion ${file.targetVersion}: EKS cannot downgrade; remove it from the campaign`,
      );
      return;
    }
    clusters.push({
      name: c.name,
      wave: waveOf.get(c.name) ?? 0,
      ...(region ? { region } : {}),
      ...(c.roleArn ? { roleArn: c.roleArn } : {}),
      inventory: resolved.inventory,
      currentVersion: resolved.currentVersion,
      hops: hopPath(resolved.currentVersion, file.targetVersion),
      manifests: (c.manifests ?? file.defaults.manifests).map(ctx.resolvePath),
      labels: c.labels ?? {},
    });
  });
  if (problems.length > 0) throw new CampaignFileError(source, problems);
  const notes = file.defaults.releaseNotes;
  return {
    name: file.name,
    ...(file.description ? { description: file.description } : {}),
    targetVersion: file.targetVersion,
    mode: file.mode,
    releaseNotes: notes === 'changelog' || notes === 'none' ? notes : ctx.resolvePath(notes),
    aiAnalysis: file.defaults.ai,
    soakWindowMs: file.defaults.soak,
    approvalTimeoutMs: file.defaults.approvalTimeout,
    analysisCache: file.defaults.analysisCache,
    ...(file.defaults.analysisHeartbeatTimeout !== undefined
      ? { analysisHeartbeatTimeoutMs: file.defaults.analysisHeartbeatTimeout }
      : {}),
    waves: file.strategy.waves.map((w, i) => ({
      name: w.name,
      maxParallel: w.maxParallel,
      bakeTimeMs: w.bakeTime,
      gate: w.gate,
      upgradeApproval: w.upgradeApproval,
      stopOn: {
        noGo: w.stopOn.noGo,
        ...(w.stopOn.failedPercent !== undefined ? { failedPercent: w.stopOn.failedPercent } : {}),
      },
      clusters: waves[i] ?? [],
    })),
    clusters,
  };
}
