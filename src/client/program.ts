// The `eks-upgrade` command line (commander) over the command registry (src/client/commands/index.ts). Every
// command validates its flags before touching the network; results go to stdout (JSON alone with --format json),
// everything else to stderr. Exit codes: 0 success, 1 failure, 2 bad usage or input (commander's own usage errors
// included), 3 from `scan` (removed API in use).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { registerCommands, type CommandSpec } from './command-registry';
import { COMMANDS } from './commands';
import { createContext, type CommandContext } from './context';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage';

/** The version from package.json (read at run time: the same file whether running from src/ or dist/). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Builds the program over `commands`; `dispatch` receives the chosen command and its parsed flags. */
export function buildProgram(
  dispatch: (spec: CommandSpec, flags: Record<string, unknown>) => Promise<void>,
  commands: readonly CommandSpec[] = COMMANDS,
): Command {
  const program = new Command('eks-upgrade')
    .description(
      'Durable, AI-assisted Amazon EKS upgrades on Temporal: evidence, analysis, go/no-go, approval, rollback.',
    )
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerCommands(program, commands, dispatch);
  return program;
}

/** The Temporal client's errors, recognised by name so that commands that never load the client stay light. */
function isNamed<T extends Error>(err: unknown, name: string): err is T {
  return err instanceof Error && err.name === name;
}

/** Maps an error to its exit code and prints it (usage errors: exit 2). */
export function reportError(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help/version text)
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof UsageError || isNamed(err, 'ConfigError')) {
    write(`error: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (isNamed<WorkflowNotFoundError>(err, 'WorkflowNotFoundError')) {
    write(
      `error: no upgrade with workflow id ${err.workflowId} in this namespace (list them with \`eks-upgrade list\`)\n`,
    );
    return EXIT_FAILURE;
  }
  if (isNamed<WorkflowFailedError>(err, 'WorkflowFailedError')) {
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
  const program = buildProgram((spec, flags) => {
    if (typeof flags.uiUrl === 'string') ctx.uiUrl = flags.uiUrl;
    pending = runCommand(spec, flags, ctx);
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

async function runCommand(spec: CommandSpec, flags: Record<string, unknown>, ctx: CommandContext): Promise<number> {
  if (!spec.run) throw new Error(`command '${spec.name}' has no implementation`);
  const action = (await spec.run()) as (flags: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
  return action(flags, ctx);
}
