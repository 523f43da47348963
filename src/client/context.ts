// What every command receives: where to print, the environment, and a lazily opened Temporal client (commands
// that validate their input do so before connecting, so bad usage never waits on a network timeout). The client
// library itself is loaded on first connect: commands that never talk to Temporal do not pay for it.
import type { ConnectedClient } from './connection';
import { processOutput, type Output } from './output';
import { TASK_QUEUE } from '../workflows/constants';

/** The dev server's Web UI (`temporal server start-dev` serves it on the frontend port + 1000). */
export const DEFAULT_UI_URL = 'http://localhost:8233';

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

/** The Web UI base: EKS_UPGRADE_UI_URL when set, else the dev server's default. */
export function uiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.EKS_UPGRADE_UI_URL?.trim();
  return fromEnv ? fromEnv : DEFAULT_UI_URL;
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
    connect: () => (connected ??= import('./connection.js').then((m) => m.connectClient(env))),
    close: async () => {
      if (connected) await (await connected.catch(() => undefined))?.close();
    },
  };
}

/** Runs `fn` with a connected client. */
export async function withClient<T>(ctx: CommandContext, fn: (c: ConnectedClient) => Promise<T>): Promise<T> {
  return fn(await ctx.connect());
}
