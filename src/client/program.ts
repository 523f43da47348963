// The `eks-upgrade` command line (commander). Every command validates its flags before touching the network;
// results go to stdout (JSON alone with --format json), everything else to stderr. Exit codes: 0 success,
// 1 failure, 2 bad usage or input (commander's own usage errors included), 3 from `scan` (removed API in use).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ConfigError } from '../domain/config';
import { createContext, type CommandContext } from './context';
import { notFoundMessage } from './upgrade-handle';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, OUTPUT_FORMATS, UsageError } from './usage';
import { runStart } from './commands/start';
import { runAbort, runApprove, runReport, runRollback, runStatus } from './commands/control';
import { runList } from './commands/list';
import { registerExtraCommands } from './program-extra';

/** The version from package.json (read at run time: the sources run as they are, with no build step). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

type Action = (flags: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
export type { Action };

const formatOption = (allowed: readonly string[] = OUTPUT_FORMATS, fallback = allowed[0] ?? 'text') =>
  new Option('--format <format>', 'output format').choices(allowed).default(fallback);

function upgradeRefOptions(cmd: Command): Command {
  return cmd
    .option('--cluster <name>', 'EKS cluster name')
    .option('--target <version>', 'target Kubernetes minor, e.g. 1.31')
    .option('--workflow-id <id>', 'the upgrade workflow id instead of --cluster/--target');
}

/** Builds the program; `run` receives each command's action so the caller controls context and exit code. */
export function buildProgram(run: (action: Action, flags: Record<string, unknown>) => Promise<void>): Command {
  const program = new Command('eks-upgrade')
    .description(
      'Durable, AI-assisted Amazon EKS upgrades on Temporal: evidence, analysis, go/no-go, approval, rollback.',
    )
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  // Every action goes through `run`; commander's arguments end with the Command itself, whose opts() we use.
  const act =
    (action: Action) =>
    (...args: unknown[]) =>
      run(action, (args[args.length - 1] as Command).opts());

  program
    .command('start')
    .description('start an upgrade analysis: workflow upgrade-<cluster>-<target>')
    .option('--cluster <name>', 'EKS cluster name')
    .option('--target <version>', 'Kubernetes minor to upgrade to, e.g. 1.31')
    .option('--current <version>', 'current minor (default: from the inventory)')
    .option('--region <region>', 'AWS region of the cluster (default: AWS_REGION with --live)')
    .option('--snapshot <file>', 'cluster snapshot JSON (see `eks-upgrade snapshot`)')
    .option('--live', 'read the cluster from the EKS API instead of a snapshot')
    .option('--manifests <paths...>', 'manifest files or directories to scan for removed APIs')
    .option('--config <file>', 'suppressions and settings (default ./.eks-upgrade.yaml when present)')
    .option(
      '--release-notes <source>',
      "'changelog' (official, cached), 'none', or a local file/directory",
      'changelog',
    )
    .option('--mode <mode>', 'analyze (execute is not available yet)', 'analyze')
    .option('--auto-approve', 'approve automatically when the decision is GO')
    .option('--no-ai', 'skip the Bedrock analyses: deterministic rules only')
    .option('--soak <duration>', 'soak window after approval, open to rollback requests (e.g. 30m, 1h)')
    .option('--approval-timeout <duration>', 'how long to wait for approve/abort (e.g. 7d)')
    .option('--remote-paths', 'do not check that paths exist here (the worker reads them elsewhere)')
    .option('--wait', 'follow the progress until the decision')
    .option('--wait-timeout <duration>', 'give up waiting after this long', '30m')
    .option('--ui-url <url>', 'Temporal Web UI base URL (default EKS_UPGRADE_UI_URL or http://localhost:8233)')
    .addOption(formatOption())
    .action(act(runStart));

  upgradeRefOptions(program.command('status').description('phase, progress, decision and cost of an upgrade'))
    .addOption(formatOption())
    .action(act(runStatus));

  upgradeRefOptions(program.command('approve').description('approve an upgrade waiting at the approval gate'))
    .option('--by <name>', 'who approves (default $USER)')
    .option('--comment <text>', 'recorded with the approval')
    .addOption(formatOption(['text', 'json']))
    .action(act(runApprove));

  upgradeRefOptions(program.command('abort').description('abort an upgrade'))
    .option('--reason <text>', 'why (required)')
    .option('--by <name>', 'who aborts (default $USER)')
    .addOption(formatOption(['text', 'json']))
    .action(act(runAbort));

  upgradeRefOptions(program.command('rollback').description('request a rollback decision during the soak window'))
    .option('--reason <text>', 'what is wrong (required)')
    .option('--evidence <text|@file>', 'supporting evidence: text, or @file to read it from a file')
    .option('--by <name>', 'who asks (default $USER)')
    .option('--wait', 'wait for the verdict and print it')
    .option('--wait-timeout <duration>', 'give up waiting after this long', '5m')
    .addOption(formatOption())
    .action(act(runRollback));

  upgradeRefOptions(program.command('report').description('the upgrade report (junit/sarif: the findings, for CI)'))
    .addOption(formatOption(['md', 'json', 'text', 'junit', 'sarif']))
    .action(act(runReport));

  program
    .command('list')
    .description('upgrades in this namespace (visibility query on our search attributes)')
    .option('--cluster <name>', 'only this cluster')
    .option('--target <version>', 'only this target version')
    .option('--phase <phase>', 'only this phase, e.g. awaiting-approval')
    .option('--decision <verdict>', 'only GO, GO_WITH_CAUTION or NO_GO')
    .option('--running', 'only running upgrades')
    .option('--limit <n>', 'at most this many', '50')
    .addOption(formatOption())
    .action(act(runList));

  registerExtraCommands(program, act, formatOption);
  return program;
}

/** Maps an error to its exit code and prints it (usage errors: exit 2). */
export function reportError(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help/version text)
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof UsageError || err instanceof ConfigError) {
    write(`error: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof WorkflowNotFoundError) {
    write(`error: ${notFoundMessage(err.workflowId)}\n`);
    return EXIT_FAILURE;
  }
  if (err instanceof WorkflowFailedError) {
    write(`error: the workflow failed: ${err.cause?.message ?? err.message}\n`);
    return EXIT_FAILURE;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.EKS_UPGRADE_DEBUG && err instanceof Error && err.stack) write(`${err.stack}\n`);
  return EXIT_FAILURE;
}

/** Parses argv, runs the chosen command and resolves to the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const ctx = createContext(env);
  let pending: Promise<number> | undefined;
  const program = buildProgram((action, flags) => {
    if (typeof flags.uiUrl === 'string') ctx.uiUrl = flags.uiUrl;
    pending = action(flags, ctx);
    return pending.then(() => undefined);
  });
  try {
    await program.parseAsync(argv);
    return pending ? await pending : EXIT_OK;
  } catch (err) {
    return reportError(err);
  } finally {
    await ctx.close();
  }
}
