// `eks-upgrade snapshot --cluster X [--region R] [--target 1.NN] [--output FILE] [--no-ec2]`: reads a real cluster
// through the EKS API (and EC2 for subnet free IPs, unless --no-ec2) and writes a snapshot JSON (docs/snapshot.md)
// to FILE or stdout. AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_EC2 redirect the SDK (tests, proxies).
import { writeFile } from 'node:fs/promises';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { loadEksInventory } from '../../activities/eks-inventory';
import { normalizeMinor } from '../../domain/versions';
import type { CommandContext } from '../context';
import type { Output } from '../output';

export interface SnapshotOptions {
  cluster: string;
  region?: string;
  target?: string;
  /** File to write; stdout when absent or "-". */
  output?: string;
  /** Read subnets and launch templates through EC2 (default true). */
  ec2?: boolean;
}

export interface SnapshotDeps {
  createEksClient?: (region: string) => EKSClient;
  createEc2Client?: (region: string) => EC2Client;
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

/** A distinctive User-Agent, so the calls are recognisable in CloudTrail (and never mistaken for a workload). */
export const INVENTORY_USER_AGENT: [string, string] = ['eks-upgrade-agent', 'snapshot'];

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export async function runSnapshot(options: SnapshotOptions, out: Output, deps: SnapshotDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  if (!options.cluster || options.cluster.trim() === '') {
    out.info('error: --cluster is required (the EKS cluster name)\n');
    return 2;
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    out.info('error: no AWS Region: pass --region or set AWS_REGION\n');
    return 2;
  }
  let target: string | undefined;
  try {
    target = options.target ? normalizeMinor(options.target, '--target') : undefined;
  } catch (error) {
    out.info(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const eks = deps.createEksClient?.(region) ?? new EKSClient({ region, customUserAgent: [INVENTORY_USER_AGENT] });
  const ec2 =
    options.ec2 === false
      ? undefined
      : (deps.createEc2Client?.(region) ??
        new EC2Client({ region, customUserAgent: [INVENTORY_USER_AGENT], maxAttempts: 2 }));
  try {
    const snapshot = await loadEksInventory(
      { eks, ec2, onWarning: (m) => out.info(`warning: ${m}\n`) },
      { clusterName: options.cluster, region, targetVersion: target, now: deps.now?.() },
    );
    const json = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (options.output && options.output !== '-') {
      await writeFile(options.output, json, 'utf8');
      out.info(`wrote snapshot of ${options.cluster} (${snapshot.cluster.version}) to ${options.output}\n`);
    } else {
      out.result(json);
    }
    return 0;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    out.info(`error: could not read cluster ${options.cluster} in ${region}: ${errorText(error)}\n`);
    return name === 'ResourceNotFoundException' ? 2 : 1;
  } finally {
    eks.destroy();
    ec2?.destroy();
  }
}

/** `eks-upgrade snapshot`: commander's flags to SnapshotOptions (`--no-ec2` sets ec2=false). */
export function runSnapshotCommand(
  flags: { cluster?: string; region?: string; target?: string; output?: string; ec2?: boolean },
  ctx: CommandContext,
): Promise<number> {
  return runSnapshot(
    {
      cluster: flags.cluster ?? '',
      ec2: flags.ec2 !== false,
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.output !== undefined ? { output: flags.output } : {}),
    },
    ctx.out,
    { env: ctx.env },
  );
}
