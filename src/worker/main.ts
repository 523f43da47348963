// The worker process (`eks-upgrade worker`, `npm run worker`): configuration validated first (a bad value exits 2
// naming the variable), pino for every log line (Temporal's runtime included), the connection from Temporal's
// envconfig, our search attributes registered, activities built by their factory with the real Bedrock client and
// the guarded permit gate, then the worker runs until SIGINT/SIGTERM, which drain in-flight activities for
// EKS_UPGRADE_SHUTDOWN_GRACE_MS before cancelling them (Temporal retries a cancelled activity elsewhere). The Bedrock
// guard runs on its own task queue in a second Worker that stops last, so draining calls can still settle.
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type LogLevel, type WorkflowBundleOption } from '@temporalio/worker';
import { ConfigError, loadConfig, type AppConfig } from '../domain/config';
import { callFloorFor, dailyLimitProblem } from '../domain/guard-ledger';
import { resolveModelPricing, UnknownModelPriceError } from '../domain/prices';
import { resolveTemporalTarget, type TemporalTarget } from './temporal-target';
import { createLogger, installTemporalLogging, type Logger } from './logging';
import { registerSearchAttributes } from './search-attributes';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { guardTaskQueueFor, loadWorkerEnv, type WorkerEnv } from './worker-env';
import { createUpgradeWorker, DEFAULT_WORKFLOWS_PATH } from './worker';
import { buildWorkerActivities, type EksEndpointOverride } from './activities';
import { analysisTaskQueueFor } from '../workflows/constants';
import { loadWorkflowBundle } from './workflow-bundle';
import { keepHealthFile } from './health';

export interface UpgradeWorkerProcessOptions {
  config: AppConfig;
  workerEnv: WorkerEnv;
  target: TemporalTarget;
  logger: Logger;
  /** A workflow bundle; by default the one `npm run build` wrote (see workflow-bundle.ts). */
  workflowBundle?: WorkflowBundleOption;
  /** How long to keep trying to reach Temporal at start (docker compose starts the server and worker together). */
  connectRetryMs?: number;
  /** Aborting it stops the connection retries (a shutdown signal during start-up). */
  signal?: AbortSignal;
  /** The execution activities' EKS endpoint, when not AWS (the demo's simulator). */
  eks?: EksEndpointOverride;
}

/** Thrown when start-up was stopped by a signal before the worker ran: a clean stop, not a failure. */
export class StoppedBeforeStartError extends Error {
  override readonly name = 'StoppedBeforeStartError';
}

export interface RunningUpgradeWorker {
  worker: Worker;
  client: Client;
  /** Settles when the worker has stopped and its connections are closed. */
  done: Promise<void>;
  /** Stops polling, lets in-flight activities finish within the grace time, then resolves with `done`. */
  shutdown(): Promise<void>;
}

const TEMPORAL_LOG_LEVEL: Record<AppConfig['logLevel'], LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** Temporal could not be reached at start-up: one line for a person, no stack (exit 1). */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** The readable part of the core's transport error ("Connection refused", a DNS failure), not its Rust debug dump. */
function connectErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const os = /message: \\?"([^"\\]+)/.exec(text)?.[1];
  const kind = /(tcp connect error|dns error|timed out|tls)/i.exec(text)?.[1];
  return os ?? kind ?? text.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}

/** Default start-up window for reaching Temporal (a server started beside the worker gets this long). */
export const DEFAULT_CONNECT_RETRY_MS = 10_000;

async function connectWithRetry(
  target: TemporalTarget,
  retryMs: number,
  signal?: AbortSignal,
): Promise<NativeConnection> {
  const deadline = Date.now() + retryMs;
  for (;;) {
    if (signal?.aborted) throw new StoppedBeforeStartError('stopped before connecting to Temporal');
    try {
      return await NativeConnection.connect(target.connectionOptions);
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new TemporalUnreachableError(
          `cannot reach Temporal at ${target.address} (namespace ${target.namespace}) within ${Math.round(retryMs / 1000)}s: ${connectErrorText(err)}. ` +
            'Start a server (temporal server start-dev, npm run demo -- --keep-server, docker compose up) or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_PROFILE.',
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Connects, registers search attributes, builds the activities and starts two workers on one connection: the
 * upgrade worker (upgrade workflows and every activity) and the guard worker (the Bedrock guard workflow, on its
 * own task queue). Shutdown drains the upgrade worker first, so in-flight analyses can still settle with the guard.
 */
export async function startUpgradeWorkerProcess(options: UpgradeWorkerProcessOptions): Promise<RunningUpgradeWorker> {
  const { config, workerEnv, target, logger } = options;
  const nativeConnection = await connectWithRetry(
    target,
    options.connectRetryMs ?? DEFAULT_CONNECT_RETRY_MS,
    options.signal,
  );
  // The activities need a Client too: the permit gate talks to the guard workflow with update-with-start.
  const connection = await Connection.connect(target.connectionOptions);
  const client = new Client({ connection, namespace: target.namespace });
  const guardTaskQueue = guardTaskQueueFor(workerEnv.taskQueue);
  try {
    try {
      await registerSearchAttributes(connection, target.namespace);
    } catch (err) {
      // E.g. Temporal Cloud, where an API key cannot use the operator service: the attributes may exist already.
      logger.warn(
        { err: (err as Error).message, attributes: ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${k.type}`) },
        'could not register the search attributes; create them on the namespace (temporal operator search-attribute create, or the Cloud UI), or upgrade workflow tasks will fail',
      );
    }
    let workflowBundle = options.workflowBundle;
    let bundleOrigin = 'given';
    if (!workflowBundle) {
      const loaded = await loadWorkflowBundle(DEFAULT_WORKFLOWS_PATH);
      if (loaded.reason) logger.warn({ reason: loaded.reason, ms: loaded.ms }, 'workflow code bundled at start');
      workflowBundle = loaded.bundle;
      bundleOrigin = loaded.origin;
    }
    const { activities, gate } = buildWorkerActivities({
      config,
      client,
      logger,
      taskQueue: guardTaskQueue,
      ...(options.eks ? { eks: options.eks } : {}),
    });
    const identity = `eks-upgrade@${hostname()}:${process.pid}`;
    const worker = await createUpgradeWorker({
      connection: nativeConnection,
      namespace: target.namespace,
      taskQueue: workerEnv.taskQueue,
      activities,
      shutdownGraceTimeMs: workerEnv.shutdownGraceMs,
      identity,
      workflowBundle,
    });
    // Shared analyses run on their own queue and slots: upgrades waiting for one never starve the call producing it.
    const analysisWorker = await Worker.create({
      connection: nativeConnection,
      namespace: target.namespace,
      taskQueue: analysisTaskQueueFor(workerEnv.taskQueue),
      workflowBundle,
      activities,
      identity,
      shutdownGraceTime: workerEnv.shutdownGraceMs,
      maxConcurrentActivityTaskExecutions: 50,
    });
    const guardWorker = await Worker.create({
      connection: nativeConnection,
      namespace: target.namespace,
      taskQueue: guardTaskQueue,
      workflowBundle,
      identity,
    });
    const upgradeRun = worker.run();
    const analysisRun = analysisWorker.run();
    const guardRun = guardWorker.run();
    const stopHealthFile = workerEnv.healthFile
      ? keepHealthFile(workerEnv.healthFile, () => worker.getState() === 'RUNNING')
      : undefined;
    const done = Promise.allSettled([upgradeRun, analysisRun, guardRun]).then(async ([u, a, g]) => {
      stopHealthFile?.();
      await connection.close();
      await nativeConnection.close();
      for (const r of [u, a, g]) if (r.status === 'rejected') throw r.reason;
    });
    logger.info(
      {
        address: target.address,
        namespace: target.namespace,
        taskQueue: workerEnv.taskQueue,
        guardTaskQueue,
        shutdownGraceMs: workerEnv.shutdownGraceMs,
        model: config.bedrock.modelId,
        workflowBundle: bundleOrigin,
      },
      'worker started',
    );
    // However the upgrade worker stops (shutdown, fatal error): the analysis worker drains next (upgrades may have
    // been waiting for its shared analyses), then this process's guard lease is given back while the guard worker
    // still runs, so every call settles its cost; the guard worker stops last.
    const stopGuard = upgradeRun
      .catch(() => undefined)
      .then(async () => {
        if (analysisWorker.getState() === 'RUNNING') analysisWorker.shutdown();
        await analysisRun.catch(() => undefined);
      })
      .then(() => gate.close())
      .finally(() => {
        if (guardWorker.getState() === 'RUNNING') guardWorker.shutdown();
      });
    return {
      worker,
      client,
      done,
      shutdown: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await stopGuard;
        await done;
      },
    };
  } catch (err) {
    await connection.close();
    await nativeConnection.close();
    throw err;
  }
}

/** `eks-upgrade worker` / `npm run worker`: resolves to the process exit code. */
export async function runWorkerMain(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: AppConfig;
  let workerEnv: WorkerEnv;
  let target: TemporalTarget;
  try {
    config = loadConfig(env);
    workerEnv = loadWorkerEnv(env);
    target = resolveTemporalTarget(env);
    // An unpriced model would fail every analysis at its first call; refuse it now, naming the variables.
    const pricing = resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices);
    // So would a daily limit below one call's worst case: every call refused, every day.
    const tooLow = dailyLimitProblem(config.guard.dailyCostLimitUsd, callFloorFor(pricing, config.bedrock.maxTokens));
    if (tooLow) throw new ConfigError(`Invalid configuration: ${tooLow}`);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return err instanceof ConfigError || err instanceof UnknownModelPriceError ? 2 : 1;
  }
  const logger = createLogger(config.logLevel);
  // Signals are ours, not the runtime's: the upgrade worker drains before the guard worker stops.
  installTemporalLogging(logger, TEMPORAL_LOG_LEVEL[config.logLevel], { shutdownSignals: [] });

  let running: RunningUpgradeWorker | undefined;
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      stop.abort();
      logger.info(
        { signal, graceMs: workerEnv.shutdownGraceMs },
        'shutting down: no new tasks; in-flight activities get the grace time, then are cancelled and retried elsewhere',
      );
      void running?.shutdown();
    } else {
      logger.warn({ signal }, 'second signal: exiting now; unfinished activities will time out and be retried');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    running = await startUpgradeWorkerProcess({ config, workerEnv, target, logger, signal: stop.signal });
    if (stop.signal.aborted) void running.shutdown(); // a signal arrived during start-up
    await running.done;
    logger.info('worker stopped');
    return 0;
  } catch (err) {
    if (err instanceof StoppedBeforeStartError) {
      logger.info('stopped before the worker started');
      return 0;
    }
    if (err instanceof TemporalUnreachableError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    logger.error({ err }, 'worker failed');
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  runWorkerMain().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
