// The campaign file: a fleet of clusters, one target minor, and a strategy of waves. One zod schema; parsing keeps
// the YAML source positions so every problem is reported as `file:line:col field: what is wrong`.
// Documented field by field in docs/campaigns.md; examples under examples/campaigns/.
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { ROLE_ARN, ROLE_ARN_HINT } from './aws-role';

const MINOR = /^1\.\d{1,2}$/;
const minor = z
  .string({ error: 'expected a Kubernetes minor version in quotes, such as "1.32"' })
  .regex(MINOR, { error: 'expected a Kubernetes minor version such as "1.32"' });
const NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const clusterName = z
  .string()
  .regex(NAME, { error: 'expected an EKS cluster name (letters, digits, - and _, up to 100 characters)' });

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `7d`, `1500ms` → milliseconds; undefined when it is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2].toLowerCase()] ?? 1));
}

const duration = (max: number, what: string) =>
  z.string({ error: 'expected a duration such as 30s, 10m, 2h or 7d' }).transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not a duration; use e.g. 30s, 10m, 2h or 7d` });
      return z.NEVER;
    }
    if (ms > max) {
      ctx.addIssue({ code: 'custom', message: `${what} is at most ${max / 86_400_000} days` });
      return z.NEVER;
    }
    return ms;
  });

const labels = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/, { error: 'expected a label key (letters, digits, _ . / -)' }),
  z.string().max(63),
);

/** Where a cluster's inventory comes from: a snapshot file, or the EKS API (then its current minor is given). */
const InventorySchema = z.union(
  [z.strictObject({ snapshot: z.string().min(1) }), z.strictObject({ live: z.literal(true), currentVersion: minor })],
  { error: 'expected { snapshot: FILE } or { live: true, currentVersion: "1.NN" }' },
);

const ClusterSchema = z.strictObject({
  name: clusterName,
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'expected an AWS region such as us-east-1' })
    .optional(),
  /** Assumed by the worker to read this (live) cluster in its own account. */
  roleArn: z.string().regex(ROLE_ARN, { error: ROLE_ARN_HINT }).optional(),
  inventory: InventorySchema,
  manifests: z.array(z.string().min(1)).optional(),
  labels: labels.optional(),
});

const SelectSchema = z
  .strictObject({
    clusters: z.array(clusterName).min(1).optional(),
    labels: labels.optional(),
    percent: z.number().gt(0).max(100).optional(),
    rest: z.literal(true).optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = [s.clusters, s.rest].filter((v) => v !== undefined).length;
    const byLabel = s.labels !== undefined || s.percent !== undefined;
    if (kinds + (byLabel ? 1 : 0) !== 1)
      ctx.addIssue({
        code: 'custom',
        message:
          'select exactly one of: clusters: [names], labels: {key: value} (optionally with percent), percent, rest: true',
      });
  });

const WaveSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: 'expected a wave name (letters, digits, _ . -)' }),
  select: SelectSchema,
  /** Clusters of this wave in progress at once (a cluster's path, every hop, holds one slot). */
  maxParallel: z.number().int().min(1).max(1000).default(1),
  /** How long to watch the fleet after this wave before the next starts. */
  bakeTime: duration(30 * 86_400_000, 'bakeTime').default(0),
  /** Promotion to the next wave: `auto` when every cluster of this wave decided GO, else wait for `continue`. */
  gate: z.enum(['manual', 'auto']).default('manual'),
  /** Each upgrade's own gate: `auto` approves a GO decision; anything else waits for `campaign approve`. */
  upgradeApproval: z.enum(['manual', 'auto']).default('auto'),
  stopOn: z
    .strictObject({
      /** Any NO_GO in this wave stops the campaign until `continue`. */
      noGo: z.boolean().default(false),
      /** Failed upgrades (errors, not NO_GO decisions) over this share of the wave stop the campaign. */
      failedPercent: z.number().min(0).max(100).optional(),
    })
    .default({ noGo: false }),
});

const DefaultsSchema = z.strictObject({
  region: ClusterSchema.shape.region,
  /** `changelog` (the official CHANGELOG, cached), `none`, or a file or directory of release notes. */
  releaseNotes: z.string().min(1).default('changelog'),
  manifests: z.array(z.string().min(1)).default([]),
  ai: z.boolean().default(true),
  /** Each upgrade's soak window after approval, open to rollback requests. */
  soak: duration(30 * 86_400_000, 'soak').default(0),
  approvalTimeout: duration(30 * 86_400_000, 'approvalTimeout').default(7 * 86_400_000),
  /** Share analyses whose prompts are identical (release notes per version pair) across the namespace. */
  analysisCache: z.boolean().default(true),
  /** How soon a Bedrock analysis whose worker died is retried elsewhere (the analyses heartbeat). */
  analysisHeartbeatTimeout: duration(600_000, 'analysisHeartbeatTimeout').optional(),
});

export const CampaignFileSchema = z.strictObject({
  apiVersion: z.literal('eks-upgrade/v1', { error: 'expected apiVersion: eks-upgrade/v1' }),
  kind: z.literal('Campaign', { error: 'expected kind: Campaign' }),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    error: 'expected a campaign name: lower-case letters, digits and -, up to 63 characters',
  }),
  description: z.string().max(2000).optional(),
  targetVersion: minor,
  mode: z.enum(['analyze', 'execute']).default('analyze'),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
  clusters: z.array(ClusterSchema).min(1, { error: 'a campaign needs at least one cluster' }).max(1000),
  strategy: z.strictObject({ waves: z.array(WaveSchema).min(1).max(100) }),
});

export type CampaignFile = z.output<typeof CampaignFileSchema>;
export type CampaignClusterSpec = CampaignFile['clusters'][number];
export type CampaignWaveSpec = CampaignFile['strategy']['waves'][number];

/** One problem in a campaign file: where (1-based line and column, when known), which field, what is wrong. */
export interface CampaignProblem {
  line?: number;
  col?: number;
  field: string;
  message: string;
}

export class CampaignFileError extends Error {
  override readonly name = 'CampaignFileError';
  constructor(
    readonly source: string,
    readonly problems: CampaignProblem[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => formatProblem(source, p)).join('\n')}`);
  }
}

export function formatProblem(source: string, p: CampaignProblem): string {
  const where = p.line !== undefined ? `${source}:${p.line}${p.col !== undefined ? `:${p.col}` : ''}` : source;
  return `${where}: ${p.field}: ${p.message}`;
}

/** `clusters[3].inventory` from a path such as ['clusters', 3, 'inventory']. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(file)';
}

/** Locates a path in the YAML document: the node itself, else the nearest parent that exists. */
export type Locate = (path: readonly PropertyKey[]) => { line: number; col: number } | undefined;

function locator(doc: Document, counter: LineCounter): Locate {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth) as Array<string | number>;
      const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as Node | null | undefined;
      let offset = node?.range?.[0];
      // Point a missing or wrong key's problem at the key itself when the parent is a map.
      if (depth < path.length && isMap(node)) {
        const key = path[depth];
        const pair = node.items.find((i) => (i.key as { value?: unknown } | null)?.value === key);
        const keyRange = (pair?.key as Node | undefined)?.range;
        if (keyRange) offset = keyRange[0];
      }
      if (offset !== undefined && (depth === path.length || isMap(node) || isSeq(node) || depth === 0))
        return counter.linePos(offset);
    }
    return undefined;
  };
}

export interface LoadedCampaignFile {
  file: CampaignFile;
  locate: Locate;
}

/** Parses and validates a campaign file's text; throws CampaignFileError listing every problem with its position. */
export function parseCampaignYaml(text: string, source = 'campaign.yaml'): LoadedCampaignFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CampaignFileError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
        return {
          ...(pos ? { line: pos.line, col: pos.col } : {}),
          field: '(yaml)',
          message: e.message.split('\n')[0] ?? e.message,
        };
      }),
    );
  }
  const locate = locator(doc, counter);
  const result = CampaignFileSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new CampaignFileError(
      source,
      result.error.issues.map((issue) => {
        // An unknown key is reported on its object; point at the key itself.
        const path = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...issue.path, issue.keys[0]] : issue.path;
        const pos = locate(path);
        return { ...(pos ?? {}), field: fieldName(path), message: issue.message };
      }),
    );
  }
  return { file: result.data, locate };
}
