// `npm run demo` / `eks-upgrade demo`: the whole product on one machine, finishing by itself. A Temporal dev server
// with its Web UI, a worker in this process, and an upgrade analysis of the bundled sample cluster
// (examples/sample-cluster: EKS 1.31 → 1.32 with a removed API in use). Bedrock runs when AWS credentials are
// found; otherwise the deterministic rules decide alone, under a banner that says so and why.
// Narrative and logs go to stderr; the report (Markdown, or JSON with --format json) to stdout.
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createBedrockRuntimeClient } from '../activities/bedrock/client';
import { ConfigError, loadConfig } from '../domain/config';
import { resolveModelPricing, UnknownModelPriceError } from '../domain/prices';
import { renderReportJson, renderReportMarkdown } from '../domain/report';
import { createLogger, installTemporalLogging } from '../worker/logging';
import { startUpgradeWorkerProcess, type RunningUpgradeWorker } from '../worker/main';
import { loadWorkerEnv } from '../worker/worker-env';
import { upgradeWorkflowId } from '../workflows/constants';
import type { upgradeWorkflow } from '../workflows/upgrade';
import { abortUpdate, approveUpdate, type UpgradeReport } from '../workflows/upgrade-messages';
import { workflowUiLink } from './connection';
import { UPGRADE_WORKFLOW_TYPE, upgradeStartOptions, waitForDecision } from './commands/start';
import type { CommandContext } from './context';
import { startDevServer, type DevServer } from './dev-server';
import { processOutput, type Output } from './output';
import { buildUpgradeInput } from './start-input';
import { EXIT_OK, EXIT_USAGE, parseFormat } from './usage';

export const SAMPLE_DIR = join(__dirname, '..', '..', 'examples', 'sample-cluster');
export const SAMPLE_CLUSTER = 'demo-prod-east';
export const SAMPLE_TARGET = '1.32';

export interface DemoFlags {
  /** commander's --no-ai sets ai=false. */
  ai?: boolean;
  keepServer?: boolean;
  format?: string;
  port?: string;
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
  out.info(`eks-upgrade demo: ${SAMPLE_CLUSTER} ${'1.31'}→${SAMPLE_TARGET} from ${SAMPLE_DIR}`);

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
  const stopAll = async () => {
    await running?.shutdown().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
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
    running = await startUpgradeWorkerProcess({
      config,
      workerEnv: { ...workerEnv, shutdownGraceMs: 5000 },
      target,
      logger,
      connectRetryMs: 10_000,
    });
    out.info(`[${secs()}] worker running in this process on task queue '${workerEnv.taskQueue}'`);

    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const input = buildUpgradeInput({
      cluster: SAMPLE_CLUSTER,
      target: SAMPLE_TARGET,
      snapshot: join(SAMPLE_DIR, 'snapshot.json'),
      manifests: [join(SAMPLE_DIR, 'manifests')],
      releaseNotes: join(SAMPLE_DIR, 'release-notes', `release-notes-${SAMPLE_TARGET}.md`),
      autoApprove: true,
      ai: credentials.ok,
      soak: '5s',
    });
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
    if (status.phase === 'awaiting-approval' && status.approval === 'pending') {
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
    out.info(`Web UI: ${link}`);
    out.info(`demo finished in ${secs()}`);

    if (flags.keepServer) {
      out.info(
        `The dev server and the worker keep running: browse ${server.uiUrl}, or try\n  TEMPORAL_ADDRESS=${server.address} npx eks-upgrade list\nCtrl-C stops them.`,
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

/** `eks-upgrade demo` (and `npm run demo`, which runs it through the same binary). */
export function runDemoCommand(flags: DemoFlags, ctx: CommandContext): Promise<number> {
  return runDemo(flags, ctx.out, ctx.env);
}
