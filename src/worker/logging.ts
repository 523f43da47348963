// Logging: pino, JSON lines on stderr (stdout is kept for command results). Secrets are removed by pino's redact
// configuration, so a credential that ends up in a log call's fields is censored by construction, not by care.
import pino, { type Logger as PinoLogger } from 'pino';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Field paths whose values never reach a log line, at the top level and one or two levels down. */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'TEMPORAL_API_KEY',
  'credentials',
  'privateKey',
  'clientKey',
  'stringData',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export type Logger = PinoLogger;

export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { service: 'eks-upgrade' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal Runtime's logs (worker, workflow `log`, activity `log`, and Rust core via forwarding)
 * into pino. Must run once, before any Worker or NativeConnection exists. `shutdownSignals: []` leaves SIGINT and
 * SIGTERM to the caller (the worker main shuts its workers down in order); by default the runtime handles them.
 */
export function installTemporalLogging(
  logger: Logger,
  level: LogLevel = 'INFO',
  options: { shutdownSignals?: NodeJS.Signals[] } = {},
): void {
  Runtime.install({
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    logger: new DefaultLogger(level, (entry) => {
      logger[PINO_LEVEL[entry.level]]({ ...entry.meta, source: 'temporal' }, entry.message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } } },
  });
}
