// Worker-process settings that are not part of the shared AppConfig (src/domain/config.ts): which task queue to
// poll and how long a shutdown may take. Validated at start-up like the rest; a bad value names the variable.
import { z } from 'zod';
import { ConfigError } from '../domain/config';
import { TASK_QUEUE } from '../workflows/constants';

/**
 * Default grace on SIGTERM: the longest Bedrock call (BEDROCK_REQUEST_TIMEOUT_MS default, 120 s) plus a margin, so
 * an in-flight analysis finishes and settles its guard reservation instead of being cut off. docker-compose's
 * stop_grace_period must exceed it (test/unit/compose.test.ts checks).
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 130_000;

const WorkerEnvSchema = z.object({
  EKS_UPGRADE_TASK_QUEUE: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
      z
        .string()
        .regex(/^[A-Za-z0-9_.:-]{1,200}$/, { error: 'expected a task queue name (letters, digits, . _ : -)' })
        .optional(),
    )
    .default(TASK_QUEUE),
  EKS_UPGRADE_SHUTDOWN_GRACE_MS: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined),
      z
        .number({ error: 'expected milliseconds from 0 to 3600000' })
        .int({ error: 'expected milliseconds from 0 to 3600000' })
        .min(0)
        .max(3_600_000)
        .optional(),
    )
    .default(DEFAULT_SHUTDOWN_GRACE_MS),
  /** A file kept fresh while the worker runs, for container healthchecks (see health.ts). */
  EKS_UPGRADE_HEALTH_FILE: z
    .preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().optional())
    .optional(),
});

export interface WorkerEnv {
  taskQueue: string;
  shutdownGraceMs: number;
  healthFile?: string;
}

export function loadWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  const result = WorkerEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `  ${name}='${env[name] ?? ''}': ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nFix the variable(s) above and start again.`);
  }
  return {
    taskQueue: result.data.EKS_UPGRADE_TASK_QUEUE,
    shutdownGraceMs: result.data.EKS_UPGRADE_SHUTDOWN_GRACE_MS,
    ...(result.data.EKS_UPGRADE_HEALTH_FILE ? { healthFile: result.data.EKS_UPGRADE_HEALTH_FILE } : {}),
  };
}

/**
 * The task queue of the Bedrock guard workflow: its own queue, polled by a separate Worker in every worker process
 * that shuts down only after the upgrade worker has drained, so in-flight analyses can still settle their cost.
 */
export function guardTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-guard`;
}

/** Every environment variable this worker reads itself (besides AppConfig's and the AWS SDK's/envconfig's). */
export const WORKER_ENV_VARS = Object.keys(WorkerEnvSchema.shape);
