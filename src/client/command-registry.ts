// How a command is declared: its name, description and flags (commander), and a loader for its implementation.
// The loader runs only when that command is chosen, so `--help` and a `scan` never load the Temporal client, the
// AWS SDK or the worker. Commands are listed in src/client/commands/index.ts; adding one is one entry there.
import { Command, Option } from 'commander';
import type { CommandContext } from './context';
import { OUTPUT_FORMATS } from './usage';

/** A command's implementation: parsed flags in, exit code out (errors thrown are mapped by program.ts). */
export type CommandAction<F = Record<string, unknown>> = (flags: F, ctx: CommandContext) => Promise<number>;

export interface CommandSpec {
  /** The word typed after `eks-upgrade`. */
  name: string;
  description: string;
  /** Declares the flags (options only: the action is wired by the registry). */
  flags?: (cmd: Command) => Command;
  /** Loads the implementation on demand, e.g. `() => import('./start.js').then((m) => m.runStart)`. */
  run?: () => Promise<CommandAction<never>>;
  /** Subcommands, for groups such as `campaign start|status`. */
  subcommands?: CommandSpec[];
}

/** Declares a command; typed by its implementation's flags, checked once here rather than at each call site. */
export function defineCommand<F>(spec: {
  name: string;
  description: string;
  flags?: (cmd: Command) => Command;
  run: () => Promise<CommandAction<F>>;
}): CommandSpec {
  return spec;
}

/** Declares a group of subcommands (`eks-upgrade <group> <command> …`). */
export function defineGroup(spec: { name: string; description: string; subcommands: CommandSpec[] }): CommandSpec {
  return spec;
}

/** `--format`, limited to what the command renders; the first is the default unless another is given. */
export function formatOption(allowed: readonly string[] = OUTPUT_FORMATS, fallback = allowed[0] ?? 'text'): Option {
  return new Option('--format <format>', 'output format').choices(allowed).default(fallback);
}

/** The flags that name one upgrade: `--cluster` with `--target`, or `--workflow-id`. */
export function upgradeRefFlags(cmd: Command): Command {
  return cmd
    .option('--cluster <name>', 'EKS cluster name')
    .option('--target <version>', 'target Kubernetes minor, e.g. 1.31')
    .option('--workflow-id <id>', 'the upgrade workflow id instead of --cluster/--target');
}

/** What the program does with a chosen command: the caller owns the context and the exit code. */
export type Dispatch = (spec: CommandSpec, flags: Record<string, unknown>) => Promise<void>;

/** Adds the commands to `parent`; each one's action hands its spec and parsed flags to `dispatch`. */
export function registerCommands(parent: Command, specs: readonly CommandSpec[], dispatch: Dispatch): void {
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new Error(`command '${spec.name}' is declared twice`);
    names.add(spec.name);
    const cmd = parent.command(spec.name).description(spec.description);
    spec.flags?.(cmd);
    if (spec.subcommands) registerCommands(cmd, spec.subcommands, dispatch);
    // commander passes the positional arguments, then the options, then the Command itself: its opts() are ours.
    if (spec.run) cmd.action((...args: unknown[]) => dispatch(spec, (args[args.length - 1] as Command).opts()));
  }
}
