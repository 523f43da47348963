// What every command receives: where to print, the environment, and a lazily opened Temporal client (commands
// that validate their input do so before connecting, so bad usage never waits on a network timeout).
import { connectClient, uiBaseUrl, type ConnectedClient } from './connection';
import { processOutput, type Output } from './output';
import { TASK_QUEUE } from '../workflows/constants';

export interface CommandContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  connect(): Promise<ConnectedClient>;
  /** Task queue the upgrade workers poll: EKS_UPGRADE_TASK_QUEUE, default `eks-upgrade`. */
  taskQueue: string;
  uiUrl: string;
}

export function taskQueueFrom(env: NodeJS.ProcessEnv): string {
  return env.EKS_UPGRADE_TASK_QUEUE?.trim() || TASK_QUEUE;
}

export function createContext(
  env: NodeJS.ProcessEnv = process.env,
  out: Output = processOutput,
): CommandContext & { close(): Promise<void> } {
  let connected: Promise<ConnectedClient> | undefined;
  return {
    out,
    env,
    taskQueue: taskQueueFrom(env),
    uiUrl: uiBaseUrl(env),
    connect: () => (connected ??= connectClient(env)),
    close: async () => {
      if (connected) await (await connected.catch(() => undefined))?.close();
    },
  };
}

/** Runs `fn` with a connected client. */
export async function withClient<T>(ctx: CommandContext, fn: (c: ConnectedClient) => Promise<T>): Promise<T> {
  return fn(await ctx.connect());
}
