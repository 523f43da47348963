// The flags of `eks-upgrade campaign …` and `eks-upgrade dashboard`; the implementations are in campaign.ts and
// dashboard.ts.
import type { Command, Option } from 'commander';
import type { CommandContext } from '../context';
import {
  runCampaignControl,
  runCampaignReport,
  runCampaignStart,
  runCampaignStatus,
  runCampaignValidate,
} from './campaign';
import { runDashboard } from './dashboard';

type Action = (flags: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
type Act = (action: Action) => (...args: unknown[]) => Promise<void>;
type FormatOption = (allowed?: readonly string[], fallback?: string) => Option;

const ref = (cmd: Command) =>
  cmd
    .option('--name <campaign>', 'the campaign name (its workflow is campaign-<name>)')
    .option('--workflow-id <id>', 'the campaign workflow id instead of --name');

export function registerCampaignCommands(program: Command, act: Act, formatOption: FormatOption): void {
  const campaign = program
    .command('campaign')
    .description('a fleet in waves: canary first, maxParallel, bake time, gates, stop rules, multi-minor paths');
  campaign
    .command('validate')
    .description('check a campaign file (exit 2 naming file:line:col and field); prints the plan')
    .option('--file <campaign.yaml>', 'the campaign file')
    .option('--remote-paths', 'do not check that manifest paths exist here')
    .addOption(formatOption(['text', 'json']))
    .action(act((flags, ctx) => runCampaignValidate(flags, ctx)));
  campaign
    .command('start')
    .description('validate, then start campaign-<name>')
    .option('--file <campaign.yaml>', 'the campaign file')
    .option('--remote-paths', 'do not check that manifest paths exist here')
    .option('--poll-interval <duration>', 'how often the campaign reads its upgrades in flight', '2s')
    .addOption(formatOption(['text', 'json']))
    .action(act((flags, ctx) => runCampaignStart(flags, ctx)));
  ref(campaign.command('status').description('waves, clusters, hops, verdicts and what the campaign waits for'))
    .addOption(formatOption())
    .action(act((flags, ctx) => runCampaignStatus(flags, ctx)));
  ref(campaign.command('report').description('every cluster and hop; --format html writes the fleet view as one file'))
    .addOption(formatOption(['md', 'json', 'text', 'html']))
    .option('--output <file>', 'write to a file instead of stdout')
    .action(act((flags, ctx) => runCampaignReport(flags, ctx)));
  const control = (name: 'pause' | 'resume' | 'continue' | 'abort', description: string) =>
    ref(campaign.command(name).description(description))
      .option('--by <name>', 'who (default $USER)')
      .option('--reason <text>', name === 'abort' ? 'why (required)' : 'why (recorded)')
      .addOption(formatOption(['text', 'json']))
      .action(act((flags, ctx) => runCampaignControl(name, flags, ctx)));
  control('pause', 'start no new upgrade and open no gate until resume');
  control('resume', 'undo pause');
  control('continue', 'lift a stop (a stop condition fired) or pass a manual gate');
  control('abort', 'abort every upgrade in flight and end the campaign');
  ref(campaign.command('skip-cluster').description('leave a cluster out: not started, or its running upgrade aborted'))
    .option('--cluster <name>', 'the cluster (required)')
    .option('--by <name>', 'who (default $USER)')
    .option('--reason <text>', 'why (recorded)')
    .addOption(formatOption(['text', 'json']))
    .action(act((flags, ctx) => runCampaignControl('skip-cluster', flags, ctx)));
  ref(campaign.command('approve').description('approve the upgrades waiting at their gate in the current wave'))
    .option('--cluster <names...>', 'only these clusters')
    .option('--by <name>', 'who approves (default $USER)')
    .option('--reason <text>', 'recorded with every approval')
    .addOption(formatOption(['text', 'json']))
    .action(
      act((flags, ctx) =>
        runCampaignControl(
          'approve',
          { ...flags, clusters: flags.cluster as string[] | undefined, cluster: undefined },
          ctx,
        ),
      ),
    );

  program
    .command('dashboard')
    .description('a read-only page of every campaign and upgrade, on 127.0.0.1 (refreshes itself)')
    .option('--port <port>', 'port to listen on (0: any free one)', '8080')
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .option('--refresh <duration>', 'how often the page refreshes', '5s')
    .action(act((flags, ctx) => runDashboard(flags, ctx)));
}
