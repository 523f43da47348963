// `npm run demo` / `eks-upgrade demo`: the whole product on one machine, finishing by itself. A Temporal dev server
// with its Web UI, a worker in this process, and an upgrade analysis of the bundled sample cluster
// (examples/sample-cluster: EKS 1.31 → 1.32 with a removed API in use). Bedrock runs when AWS credentials are
// found; otherwise the deterministic rules decide alone, under a banner that says so and why. With --execute the
// upgrade is carried out against the EKS simulator in this process ("simulated EKS", demo-execute.ts); with
// --external-worker the worker is a separate process, to kill and restart mid-way.
// Narrative and logs go to stderr; the report (Markdown, or JSON with --format json) to stdout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { createBedrockRuntimeClient } from '../activities/bedrock/client';
import { ConfigError, loadConfig } from '../domain/config';
import { resolveModelPricing, UnknownModelPriceError } from '../domain/prices';
import { renderReportJson, renderReportMarkdown } from '../domain/report';
import { parseClusterSnapshot } from '../domain/snapshot';
import { blockerCodes } from '../domain/upgrade-requests';
import { createLogger, installTemporalLogging } from '../worker/logging';
import { startUpgradeWorkerProcess, type RunningUpgradeWorker } from '../worker/main';
import { loadWorkerEnv } from '../worker/worker-env';
import { upgradeWorkflowId } from '../workflows/constants';
import type { upgradeWorkflow } from '../workflows/upgrade';
import {
  abortUpdate,
  approveUpdate,
  parseUpgradeInput,
  type UpgradeReport,
  type UpgradeStatus,
  type ValidUpgradeInput,
} from '../workflows/upgrade-messages';
import { workflowUiLink } from './connection';
import { UPGRADE_WORKFLOW_TYPE, upgradeStartOptions, waitForDecision } from './commands/start';
import type { CommandContext } from './context';
import {
  externalWorkerCommand,
  followUpgrade,
  SIMULATED,
  SIMULATOR_CREDENTIALS,
  simulatorSummary,
  startDemoSimulator,
  waitForWorker,
  type DemoSimulator,
} from './demo-execute';
import { startDevServer, type DevServer } from './dev-server';
import { processOutput, type Output } from './output';
import { buildUpgradeInput } from './start-input';
import { EXIT_OK, EXIT_USAGE, parseDuration, parseFormat, UsageError } from './usage';

export const SAMPLE_DIR = join(__dirname, '..', '..', 'examples', 'sample-cluster');
export const SAMPLE_CLUSTER = 'demo-prod-east';
export const SAMPLE_TARGET = '1.32';

export interface DemoFlags {
  /** commander's --no-ai sets ai=false. */
  ai?: boolean;
  keepServer?: boolean;
  format?: string;
  port?: string;
  /** Upgrade the sample for real, against the EKS simulator ("simulated EKS"). */
  execute?: boolean;
  /** With --execute: no worker in this process; print the command that runs one (to kill and restart). */
  externalWorker?: boolean;
  /** The soak window (default 5s; 10s with --execute). */
  soak?: string;
  /** Port of the EKS simulator (with --execute; another is chosen when busy). */
  eksPort?: string;
}

/** Whether the AWS credential chain yields credentials; never prints or returns them. */
export async function detectAwsCredentials(
  region: string,
  timeoutMs = 8000,
): Promise<{ ok: true; source: string } | { ok: false; reason: string }> {
  const client = createBedrockRuntimeClient({ region });
  try {
    const credentials = client.config.credentials();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer from the credential chain within ${timeoutMs / 1000}s`)),
        timeoutMs,
      ).unref(),
    );
    const found = await Promise.race([credentials, timeout]);
    if (!found.accessKeyId) return { ok: false, reason: 'the credential chain returned no access key' };
    return {
      ok: true,
      source: process.env.AWS_PROFILE ? `profile ${process.env.AWS_PROFILE}` : 'the default AWS credential chain',
    };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'unknown error';
    return { ok: false, reason: `no AWS credentials found (${message})` };
  } finally {
    client.destroy();
  }
}

function banner(out: Output, lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  out.info(`${'='.repeat(width)}\n${lines.map((l) => `  ${l}`).join('\n')}\n${'='.repeat(width)}`);
}

export async function runDemo(
  flags: DemoFlags,
  out: Output = processOutput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const started = Date.now();
  const format = parseFormat(flags.format ?? 'md', ['md', 'json', 'text']);
  const preferredPort = flags.port !== undefined ? Number(flags.port) : 7233;
  if (!Number.isInteger(preferredPort) || preferredPort < 1024 || preferredPort > 64_000) {
    out.info(`error: --port: '${flags.port}' is not a port from 1024 to 64000`);
    return EXIT_USAGE;
  }
  const eksPort = flags.eksPort !== undefined ? Number(flags.eksPort) : 7300;
  if (!Number.isInteger(eksPort) || eksPort < 1024 || eksPort > 65_535) {
    out.info(`error: --eks-port: '${flags.eksPort}' is not a port from 1024 to 65535`);
    return EXIT_USAGE;
  }
  if (flags.externalWorker && !flags.execute) {
    out.info('error: --external-worker goes with --execute (the worker to kill and restart runs the upgrade)');
    return EXIT_USAGE;
  }
  const soak = flags.soak ?? (flags.execute ? '10s' : '5s');
  try {
    parseDuration(soak, '--soak');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out.info(`error: ${err.message}`);
    return EXIT_USAGE;
  }
  let config;
  let workerEnv;
  try {
    config = loadConfig(env);
    workerEnv = loadWorkerEnv(env);
    resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UnknownModelPriceError) {
      out.info(`error: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  // Quiet by default (errors only): the narrative above is the demo's output; LOG_LEVEL=info shows the worker's logs.
  const logger = createLogger(env.LOG_LEVEL?.trim() ? config.logLevel : 'error');
  installTemporalLogging(logger, 'WARN', { shutdownSignals: [] }); // Ctrl-C is handled below: stop worker, then server

  const secs = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  out.info(
    `eks-upgrade demo: ${SAMPLE_CLUSTER} ${'1.31'}→${SAMPLE_TARGET} from ${SAMPLE_DIR}${flags.execute ? `, executed against ${SIMULATED} (no AWS account touched)` : ''}`,
  );

  const aiWanted = flags.ai !== false;
  const credentials = aiWanted
    ? await detectAwsCredentials(config.awsRegion)
    : ({ ok: false, reason: 'turned off with --no-ai' } as const);
  if (credentials.ok) {
    out.info(
      `AI analysis: Amazon Bedrock ${config.bedrock.modelId} in ${config.awsRegion}, credentials from ${credentials.source}; daily budget $${config.guard.dailyCostLimitUsd} (the guard enforces it)`,
    );
  } else {
    banner(out, [
      `AI ANALYSIS SKIPPED: ${credentials.reason}.`,
      'The decision comes from the deterministic rules alone (evidence: snapshot, manifests, release notes),',
      'and without the AI analysis it can be no better than GO_WITH_CAUTION.',
      ...(aiWanted
        ? [
            `To include it: AWS credentials with Bedrock access (AWS_PROFILE or AWS_ACCESS_KEY_ID/...), AWS_REGION (now ${config.awsRegion}).`,
          ]
        : []),
    ]);
  }

  let server: DevServer | undefined;
  let running: RunningUpgradeWorker | undefined;
  let connection: Connection | undefined;
  let simulator: DemoSimulator | undefined;
  const stopAll = async () => {
    await running?.shutdown().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await simulator?.server.stop().catch(() => undefined);
  };
  const onInterrupt = () => {
    out.info('\ninterrupted: stopping the worker and the dev server');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);

  try {
    server = await startDevServer({ port: preferredPort, env });
    out.info(`[${secs()}] Temporal dev server at ${server.address} (${server.origin}); Web UI ${server.uiUrl}`);
    const target = {
      address: server.address,
      namespace: server.namespace,
      connectionOptions: { address: server.address },
    };
    const snapshotPath = join(SAMPLE_DIR, 'snapshot.json');
    if (flags.execute) {
      simulator = await startDemoSimulator(
        parseClusterSnapshot(JSON.parse(readFileSync(snapshotPath, 'utf8'))),
        eksPort,
      );
      out.info(
        `[${secs()}] ${SIMULATED} at ${simulator.endpoint}: ${SAMPLE_CLUSTER} as in the snapshot, EKS's durations divided by 60`,
      );
    }
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    if (flags.externalWorker && simulator) {
      out.info(
        `[${secs()}] start the worker in another terminal (Ctrl-C or kill -9 it mid-way, then start it again: it resumes):\n` +
          `  ${externalWorkerCommand(server.address, simulator.endpoint, !credentials.ok)}\n` +
          `waiting for it to poll task queue '${workerEnv.taskQueue}'…`,
      );
      await waitForWorker(client, workerEnv.taskQueue, 10 * 60_000);
      out.info(`[${secs()}] a worker polls task queue '${workerEnv.taskQueue}'`);
    } else {
      running = await startUpgradeWorkerProcess({
        config,
        workerEnv: { ...workerEnv, shutdownGraceMs: 5000 },
        target,
        logger,
        connectRetryMs: 10_000,
        ...(simulator ? { eks: { endpoint: simulator.endpoint, credentials: SIMULATOR_CREDENTIALS } } : {}),
      });
      out.info(`[${secs()}] worker running in this process on task queue '${workerEnv.taskQueue}'`);
    }

    const input = demoInput(flags, credentials.ok, soak);
    const workflowId = upgradeWorkflowId(input.clusterName, input.targetVersion);
    const link = workflowUiLink(server.uiUrl, server.namespace, workflowId);
    const handle = await client.workflow.start<typeof upgradeWorkflow>(
      UPGRADE_WORKFLOW_TYPE,
      upgradeStartOptions(input, workerEnv.taskQueue),
    );
    out.info(`[${secs()}] started ${workflowId}\n         Web UI: ${link}`);

    const ctx: CommandContext = {
      out,
      env,
      taskQueue: workerEnv.taskQueue,
      uiUrl: server.uiUrl,
      connect: () => Promise.reject(new Error('unused')),
    };
    const status = await waitForDecision(client, connection, workflowId, ctx, 10 * 60_000);
    const verdict = status.decision?.verdict;
    if (flags.execute) {
      await approveExecution(handle, status, out, secs);
      await followUpgrade(client, connection, handle, out, { secs, address: server.address });
    } else if (status.phase === 'awaiting-approval' && status.approval === 'pending') {
      if (verdict === 'NO_GO') {
        const codes = [...new Set((status.decision?.blockers ?? []).map((b) => b.code))].join(', ');
        out.info(
          `[${secs()}] decision NO_GO (blockers: ${codes}): the demo aborts, as an operator would until the blockers are fixed`,
        );
        await handle.executeUpdate(abortUpdate, {
          args: [{ reason: `demo: NO_GO with blockers ${codes}; fix them, then start a new analysis`, by: 'demo' }],
        });
      } else {
        out.info(
          `[${secs()}] decision ${verdict ?? '?'}: the demo approves it (auto-approval covers GO only); 5 s soak window follows`,
        );
        await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'demo', comment: `${verdict ?? ''} accepted by the demo` }],
        });
      }
    }
    const report: UpgradeReport = await handle.result();
    out.info(`[${secs()}] workflow finished: ${report.status.headline}`);
    out.result(format === 'json' ? renderReportJson(report) : renderReportMarkdown(report));
    if (simulator) out.info(`[${secs()}] ${simulatorSummary(simulator.sim, SAMPLE_CLUSTER)}`);
    out.info(`Web UI: ${link}`);
    out.info(`demo finished in ${secs()}`);

    if (flags.keepServer) {
      out.info(
        `The dev server${simulator ? `, ${SIMULATED}` : ''} and the worker keep running: browse ${server.uiUrl}, or try\n  TEMPORAL_ADDRESS=${server.address} npx eks-upgrade list\nCtrl-C stops them.`,
      );
      process.removeListener('SIGINT', onInterrupt);
      process.removeListener('SIGTERM', onInterrupt);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return EXIT_OK;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
    await stopAll();
  }
}

/** The sample's input: analyze mode with GO auto-approved, or execute mode against the simulator, labelled so. */
function demoInput(flags: DemoFlags, ai: boolean, soak: string): ValidUpgradeInput {
  const input = buildUpgradeInput({
    cluster: SAMPLE_CLUSTER,
    target: SAMPLE_TARGET,
    snapshot: join(SAMPLE_DIR, 'snapshot.json'),
    manifests: [join(SAMPLE_DIR, 'manifests')],
    releaseNotes: join(SAMPLE_DIR, 'release-notes', `release-notes-${SAMPLE_TARGET}.md`),
    autoApprove: !flags.execute,
    ai,
    soak,
    ...(flags.execute ? { mode: 'execute', pollInterval: '1s' } : {}),
  });
  if (!flags.execute) return input;
  // A killed worker is noticed within 5 s (the heartbeat timeout) and its step resumed by the next one.
  const parsed = parseUpgradeInput({
    ...input,
    execution: { ...input.execution, targetLabel: SIMULATED, heartbeatTimeoutMs: 5_000 },
  });
  if (!parsed.ok) throw new Error(`demo input: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  return parsed.input;
}

/**
 * Execute mode never auto-approves anything but GO. The sample's FlowSchema on flowcontrol v1beta3 makes it NO_GO:
 * the demo approves with the audited override (who, why, which blockers), which is what an operator would have to
 * do too, and says why it may here (a simulated cluster, nothing real breaks).
 */
async function approveExecution(
  handle: WorkflowHandle<typeof upgradeWorkflow>,
  status: UpgradeStatus,
  out: Output,
  secs: () => string,
): Promise<void> {
  if (status.phase !== 'awaiting-approval' || status.approval !== 'pending') return;
  const verdict = status.decision?.verdict ?? '?';
  if (verdict === 'NO_GO') {
    const blockers = blockerCodes(status.decision);
    const reason = `demo on ${SIMULATED}: ${blockers.join(', ')} accepted to show the execution; on a real cluster migrate the FlowSchema/PriorityLevelConfiguration to flowcontrol.apiserver.k8s.io/v1 first, since 1.32 no longer serves v1beta3`;
    out.info(
      `[${secs()}] decision NO_GO (blockers ${blockers.join(', ')}): the demo approves with an audited override: ${reason}`,
    );
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'demo', override: { reason, blockers } }] });
  } else {
    out.info(
      `[${secs()}] decision ${verdict}: the demo approves it (execute mode auto-approves only GO, and only when asked)`,
    );
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'demo', comment: `${verdict} accepted by the demo` }] });
  }
}

/** `eks-upgrade demo` (and `npm run demo`, which runs it through the same binary). */
export function runDemoCommand(flags: DemoFlags, ctx: CommandContext): Promise<number> {
  return runDemo(flags, ctx.out, ctx.env);
}
