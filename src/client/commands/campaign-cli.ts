// The declarations of `eks-upgrade campaign …` and `eks-upgrade dashboard` for the command registry; the
// implementations (imported on demand) are in campaign.ts and dashboard.ts.
import type { Command } from 'commander';
import { defineCommand, defineGroup, formatOption, type CommandSpec } from '../command-registry';

type ControlAction = 'pause' | 'resume' | 'continue' | 'abort' | 'skip-cluster' | 'approve';

const ref = (cmd: Command) =>
  cmd
    .option('--name <campaign>', 'the campaign name (its workflow is campaign-<name>)')
    .option('--workflow-id <id>', 'the campaign workflow id instead of --name');

const control = (name: ControlAction, description: string, flags: (cmd: Command) => Command): CommandSpec =>
  defineCommand<Record<string, unknown>>({
    name,
    description,
    flags: (cmd) =>
      flags(ref(cmd))
        .option('--by <name>', 'who (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () =>
      import('./campaign.js').then(
        (m) => (flags: Record<string, unknown>, ctx) =>
          m.runCampaignControl(
            name,
            name === 'approve'
              ? { ...flags, cluster: undefined, clusters: flags.cluster as string[] | undefined }
              : flags,
            ctx,
          ),
      ),
  });

export const CAMPAIGN_COMMANDS: readonly CommandSpec[] = [
  defineGroup({
    name: 'campaign',
    description: 'a fleet in waves: canary first, maxParallel, bake time, gates, stop rules, multi-minor paths',
    subcommands: [
      defineCommand({
        name: 'validate',
        description: 'check a campaign file (exit 2 naming file:line:col and field); prints the plan',
        flags: (cmd) =>
          cmd
            .option('--file <campaign.yaml>', 'the campaign file')
            .option('--remote-paths', 'do not check that manifest paths exist here')
            .addOption(formatOption(['text', 'json'])),
        run: () => import('./campaign.js').then((m) => m.runCampaignValidate),
      }),
      defineCommand({
        name: 'start',
        description: 'validate, then start campaign-<name>',
        flags: (cmd) =>
          cmd
            .option('--file <campaign.yaml>', 'the campaign file')
            .option('--remote-paths', 'do not check that manifest paths exist here')
            .option('--poll-interval <duration>', 'how often the campaign reads its upgrades in flight', '2s')
            .addOption(formatOption(['text', 'json'])),
        run: () => import('./campaign.js').then((m) => m.runCampaignStart),
      }),
      defineCommand({
        name: 'status',
        description: 'waves, clusters, hops, verdicts and what the campaign waits for',
        flags: (cmd) => ref(cmd).addOption(formatOption()),
        run: () => import('./campaign.js').then((m) => m.runCampaignStatus),
      }),
      defineCommand({
        name: 'report',
        description: 'every cluster and hop; --format html writes the fleet view as one file',
        flags: (cmd) =>
          ref(cmd)
            .addOption(formatOption(['md', 'json', 'text', 'html']))
            .option('--output <file>', 'write to a file instead of stdout'),
        run: () => import('./campaign.js').then((m) => m.runCampaignReport),
      }),
      control('approve', 'approve the upgrades waiting at their gate in the current wave', (cmd) =>
        cmd
          .option('--cluster <names...>', 'only these clusters')
          .option('--reason <text>', 'recorded with every approval'),
      ),
      control('continue', 'lift a stop (a stop condition fired) or pass a manual gate', (cmd) =>
        cmd.option('--reason <text>', 'why (recorded)'),
      ),
      control('skip-cluster', 'leave a cluster out: not started, or its running upgrade aborted', (cmd) =>
        cmd.option('--cluster <name>', 'the cluster (required)').option('--reason <text>', 'why (recorded)'),
      ),
      control('pause', 'start no new upgrade and open no gate until resume', (cmd) =>
        cmd.option('--reason <text>', 'why (recorded)'),
      ),
      control('resume', 'undo pause', (cmd) => cmd.option('--reason <text>', 'why (recorded)')),
      control('abort', 'abort every upgrade in flight and end the campaign', (cmd) =>
        cmd.option('--reason <text>', 'why (required)'),
      ),
    ],
  }),
  defineCommand({
    name: 'dashboard',
    description: 'a read-only page of every campaign and upgrade, on 127.0.0.1 (refreshes itself)',
    flags: (cmd) =>
      cmd
        .option('--port <port>', 'port to listen on (0: any free one)', '8080')
        .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
        .option('--refresh <duration>', 'how often the page refreshes', '5s'),
    run: () => import('./dashboard.js').then((m) => m.runDashboard),
  }),
];
