// Reading a campaign file the way `campaign validate` and `campaign start` do: YAML with positions, the schema,
// every snapshot read and matched to its cluster, every path checked, every hop's upgrade input validated with the
// upgrade workflow's own schema. Any problem is a UsageError (exit 2) listing each one as file:line:col field:
// message; nothing is started.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import {
  CampaignFileError,
  formatProblem,
  parseCampaignYaml,
  type CampaignClusterSpec,
  type CampaignProblem,
} from '../../domain/campaign';
import { planCampaign, type CampaignPlan, type ResolvedInventory } from '../../domain/campaign-plan';
import { parseClusterSnapshot } from '../../domain/snapshot';
import { hopUpgradeInput } from '../../workflows/campaign-messages';
import { UpgradeInputSchema } from '../../workflows/upgrade-messages';
import { UsageError } from '../usage';

export interface LoadedCampaign {
  plan: CampaignPlan;
  /** The file as given on the command line (for messages). */
  source: string;
}

function readSnapshot(path: string, cluster: CampaignClusterSpec): ResolvedInventory {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isDirectory()) throw new Error(`${path} is a directory, not a snapshot file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const snapshot = parseClusterSnapshot(json, path);
  if (snapshot.cluster.name !== cluster.name)
    throw new Error(`${path} describes cluster '${snapshot.cluster.name}', not '${cluster.name}'`);
  return { inventory: { kind: 'snapshot', path }, currentVersion: snapshot.cluster.version };
}

/** Loads, validates and plans a campaign file; throws UsageError naming every problem with its line. */
export function loadCampaignFile(file: string, options: { cwd?: string; remotePaths?: boolean } = {}): LoadedCampaign {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const source = relative(cwd, path) || file;
  if (!existsSync(path)) throw new UsageError(`${file} does not exist`, '--file');
  const base = dirname(path);
  const resolvePath = (p: string) => resolve(base, p);
  try {
    const { file: spec, locate } = parseCampaignYaml(readFileSync(path, 'utf8'), source);
    const plan = planCampaign(spec, source, {
      locate,
      resolvePath,
      resolveInventory: (cluster) => {
        if ('live' in cluster.inventory)
          return { inventory: { kind: 'eks' }, currentVersion: cluster.inventory.currentVersion };
        const snapshotPath = resolvePath(cluster.inventory.snapshot);
        if (options.remotePaths) throw new Error('--remote-paths: a snapshot must be readable here to plan its hops');
        return readSnapshot(snapshotPath, cluster);
      },
    });
    const problems: CampaignProblem[] = [];
    plan.clusters.forEach((cluster) => {
      const index = spec.clusters.findIndex((c) => c.name === cluster.name);
      const at = (sub: PropertyKey[], field: string, message: string) =>
        problems.push({ ...locate(['clusters', index, ...sub]), field: `clusters[${index}]${field}`, message });
      if (!options.remotePaths) {
        cluster.manifests.forEach((m, i) => {
          if (!existsSync(m)) at(['manifests', i], `.manifests[${i}]`, `${m} does not exist`);
        });
      }
      cluster.hops.forEach((_hop, h) => {
        const parsed = UpgradeInputSchema.safeParse(hopUpgradeInput(plan, cluster, h));
        if (parsed.success) return;
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          if (field === 'mode') problems.push({ ...locate(['mode']), field: 'mode', message: issue.message });
          else at([], `.${field}`, `${issue.path.join('.')}: ${issue.message}`);
        }
      });
    });
    if (!options.remotePaths && plan.releaseNotes !== 'changelog' && plan.releaseNotes !== 'none')
      if (!existsSync(plan.releaseNotes))
        problems.push({
          ...locate(['defaults', 'releaseNotes']),
          field: 'defaults.releaseNotes',
          message: `${plan.releaseNotes} does not exist`,
        });
    const unique = problems.filter(
      (p, i) => problems.findIndex((q) => formatProblem(source, q) === formatProblem(source, p)) === i,
    );
    if (unique.length > 0) throw new CampaignFileError(source, unique);
    return { plan, source };
  } catch (err) {
    if (err instanceof CampaignFileError)
      throw new UsageError(
        `${err.problems.length} problem(s) in ${source}; nothing was started:\n${err.problems.map((p) => `  ${formatProblem(source, p)}`).join('\n')}`,
      );
    throw err;
  }
}
