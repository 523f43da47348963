// Shared set-up for the Bedrock-layer tests: config for a model, a silent logger that keeps its lines, and the
// analysis activities wired to the fake through the real SDK client.
import { loadConfig, type AppConfig } from '../../src/domain/config';
import { createAnalysisActivities, type AnalysisActivityDeps } from '../../src/activities/analysis';
import type { AnalysisContext } from '../../src/activities/contracts';
import type { BedrockFake } from '../fakes/bedrock-fake';
import type { Logger } from '../../src/worker/logging';
import { RecordingPermitGate } from '../fakes/recording-permit-gate';

export const CONTEXT: AnalysisContext = { clusterName: 'prod-east', currentVersion: '1.31', targetVersion: '1.32' };

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ BEDROCK_REQUEST_TIMEOUT_MS: '5000', ...env });
}

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

export function recordingLogger(lines: LogLine[] = []) {
  const at = (level: string) => (fields: object, message?: string) =>
    void lines.push({ level, fields: fields as Record<string, unknown>, message: message ?? '' });
  // pino's LogFn has overloads these simple recorders do not spell out; the (fields, message) form is all we use.
  return {
    lines,
    logger: { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') } as unknown as Pick<
      Logger,
      'info' | 'warn' | 'debug' | 'error'
    >,
  };
}

export function analysisSetup(
  fake: BedrockFake,
  env: Record<string, string> = {},
  extra: Partial<AnalysisActivityDeps> = {},
) {
  const gate = new RecordingPermitGate();
  const { lines, logger } = recordingLogger();
  const config = testConfig(env);
  const activities = createAnalysisActivities({ client: fake.client(), config, logger, gate, ...extra });
  return { gate, lines, config, activities };
}
