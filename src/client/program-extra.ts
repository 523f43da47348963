// The commands beyond one upgrade's life cycle: `cost`, `scan`, `snapshot`, `worker`, `demo`.
import type { Command, Option } from 'commander';
import type { CommandContext } from './context';
import { runCost } from './commands/cost';
import type { CommandIo } from './commands/io';
import { runScan, type OutputFormat as ScanFormat } from './commands/scan';
import { runSnapshot } from './commands/snapshot';
import { runDemo } from './demo';
import { registerCampaignCommands } from './commands/campaign-cli';
import { runWorkerMain } from '../worker/main';

type Action = (flags: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
type Act = (action: Action) => (...args: unknown[]) => Promise<void>;
type FormatOption = (allowed?: readonly string[], fallback?: string) => Option;

/** B's commands write to streams; route them through the command context (stdout results, stderr the rest). */
function commandIo(ctx: CommandContext): CommandIo {
  return {
    stdout: { write: (text: string) => ctx.out.result(text) },
    stderr: { write: (text: string) => ctx.out.info(text) },
  };
}

export function registerExtraCommands(program: Command, act: Act, formatOption: FormatOption): void {
  program
    .command('cost')
    .description("the Bedrock guard's daily ledger and rate window; --set-* change limits on every worker at once")
    .option('--set-daily-limit <usd>', 'daily Bedrock budget in USD')
    .option('--set-rpm <n>', 'requests allowed per rate window')
    .option('--set-tpm <n|off>', "tokens allowed per rate window, or 'off'")
    .option('--set-window <duration>', 'rate window length, e.g. 1m')
    .addOption(formatOption())
    .action(act(runCost));

  program
    .command('scan')
    .description(
      'find deprecated and removed APIs in manifests, without Temporal (exit 3 when one removed by --target is in use)',
    )
    .option(
      '--manifests <paths...>',
      "manifest files or directories (YAML/JSON, multi-document, kind: List); '-' reads stdin (helm template ... |)",
    )
    .option('--target <version>', 'Kubernetes minor to check against, e.g. 1.32')
    .option('--current <version>', 'current minor (default: the one before --target), for "replacement already served"')
    .addOption(formatOption())
    .action(
      act((flags, ctx) =>
        runScan(
          {
            manifests: (flags.manifests as string[] | undefined) ?? [],
            format: flags.format as ScanFormat,
            ...(typeof flags.target === 'string' ? { target: flags.target } : {}),
            ...(typeof flags.current === 'string' ? { current: flags.current } : {}),
          },
          commandIo(ctx),
        ),
      ),
    );

  program
    .command('snapshot')
    .description('read a cluster from the EKS API (and EC2 for subnet IPs) into a snapshot JSON for `start --snapshot`')
    .option('--cluster <name>', 'EKS cluster name (required)')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--target <version>', 'target minor, to record add-on versions compatible with it')
    .option('--output <file>', 'write here instead of stdout')
    .option('--no-ec2', 'skip EC2 (subnet free IPs, launch-template versions)')
    .action(
      act((flags, ctx) =>
        runSnapshot(
          {
            cluster: typeof flags.cluster === 'string' ? flags.cluster : '',
            ec2: flags.ec2 !== false,
            ...(typeof flags.region === 'string' ? { region: flags.region } : {}),
            ...(typeof flags.target === 'string' ? { target: flags.target } : {}),
            ...(typeof flags.output === 'string' ? { output: flags.output } : {}),
          },
          commandIo(ctx),
          { env: ctx.env },
        ),
      ),
    );

  registerCampaignCommands(program, act, formatOption);

  program
    .command('worker')
    .description(
      'run a worker: upgrade and guard workflows, evidence and Bedrock activities (Ctrl-C drains, then stops)',
    )
    .action(act((_flags, ctx) => runWorkerMain(ctx.env)));

  program
    .command('demo')
    .description(
      'start a dev server with its Web UI and a worker, analyse the bundled sample cluster, print the report',
    )
    .option('--no-ai', 'skip Bedrock even when AWS credentials are present')
    .option('--keep-server', 'keep the server and worker running afterwards, for browsing the Web UI (Ctrl-C stops)')
    .option('--port <port>', 'preferred frontend port (the UI uses port + 1000); another is chosen when busy', '7233')
    .addOption(formatOption(['md', 'json', 'text']))
    .action(act((flags, ctx) => runDemo(flags, ctx.out, ctx.env)));
}
