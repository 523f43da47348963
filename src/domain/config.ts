// Configuration from the environment: one zod schema, validated once at start-up. Defaults: 60 requests/min,
// $100/day, temperature 0.1, 4096 max tokens, and a current, active model (Claude 3 Sonnet, which older
// configurations name, is retired on Bedrock).
import { z } from 'zod';
import { DEFAULT_MANIFEST_LIMITS, type ManifestLimits } from './manifest-limits';

export const DEFAULT_BEDROCK_MODEL_ID = 'global.anthropic.claude-sonnet-4-6';
/** A snapshot is read whole (it is one JSON document); 64 MiB is far beyond any real cluster's. */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** An environment variable holding a number (blank values were dropped by loadConfig: they mean "not set"). */
function numberVar(what: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? Number(v) : v),
    z.number({ error: `expected ${what}` }).refine(Number.isFinite, { error: `expected ${what}` }),
  );
}

function intVar(min: number, max: number) {
  return numberVar(`an integer from ${min} to ${max}`).pipe(
    z
      .number()
      .int({ error: `expected an integer from ${min} to ${max}` })
      .min(min, { error: `expected an integer from ${min} to ${max}` })
      .max(max, { error: `expected an integer from ${min} to ${max}` }),
  );
}

function rangeVar(min: number, max: number, what = `a number from ${min} to ${max}`) {
  return numberVar(what).pipe(
    z
      .number()
      .min(min, { error: `expected ${what}` })
      .max(max, { error: `expected ${what}` }),
  );
}

const optionalString = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
  z.string().optional(),
);

/** Prices in USD per 1M tokens for a model the built-in table does not know (BEDROCK_MODEL_PRICES, JSON). */
export const ModelPricesSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().default(0),
  cacheWrite: z.number().nonnegative().default(0),
});
export type ModelPrices = z.infer<typeof ModelPricesSchema>;

const modelPricesVar = z.preprocess((v, ctx) => {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'expected JSON such as {"input":3,"output":15,"cacheRead":0.3,"cacheWrite":3.75} (USD per 1M tokens)',
    });
    return z.NEVER;
  }
}, ModelPricesSchema.optional());

/** Input bounds of the evidence activities and `scan` (README: configuration); the defaults fit 600 MB of memory. */
const limitVars = {
  EKS_UPGRADE_MAX_MANIFEST_FILES: intVar(1, 10_000_000).default(DEFAULT_MANIFEST_LIMITS.maxFiles),
  EKS_UPGRADE_MAX_MANIFEST_BYTES: intVar(1, 64 * 1024 ** 3).default(DEFAULT_MANIFEST_LIMITS.maxBytes),
  EKS_UPGRADE_MAX_MANIFEST_OBJECTS: intVar(1, 100_000_000).default(DEFAULT_MANIFEST_LIMITS.maxObjects),
  EKS_UPGRADE_MAX_SNAPSHOT_BYTES: intVar(1, 4 * 1024 ** 3).default(DEFAULT_MAX_SNAPSHOT_BYTES),
};

export interface InputLimits {
  manifests: ManifestLimits;
  maxSnapshotBytes: number;
}

function toLimits(cfg: z.output<z.ZodObject<typeof limitVars>>): InputLimits {
  return {
    manifests: {
      maxFiles: cfg.EKS_UPGRADE_MAX_MANIFEST_FILES,
      maxBytes: cfg.EKS_UPGRADE_MAX_MANIFEST_BYTES,
      maxObjects: cfg.EKS_UPGRADE_MAX_MANIFEST_OBJECTS,
    },
    maxSnapshotBytes: cfg.EKS_UPGRADE_MAX_SNAPSHOT_BYTES,
  };
}

const LimitsSchema = z.object(limitVars).transform(toLimits);

export const ConfigSchema = z
  .object({
    ...limitVars,
    EKS_UPGRADE_REPORTS_DIR: optionalString,
    AWS_REGION: optionalString.default('us-east-1'),
    BEDROCK_MODEL_ID: optionalString.default(DEFAULT_BEDROCK_MODEL_ID),
    BEDROCK_MODEL_PRICES: modelPricesVar,
    BEDROCK_MAX_TOKENS: intVar(1, 200_000).default(4096),
    BEDROCK_TEMPERATURE: rangeVar(0, 1).optional(),
    BEDROCK_TOP_P: rangeVar(0, 1).optional(),
    BEDROCK_MAX_REQUESTS_PER_MINUTE: intVar(1, 100_000).default(60),
    BEDROCK_MAX_TOKENS_PER_MINUTE: intVar(1, 100_000_000).optional(),
    BEDROCK_DAILY_COST_LIMIT_USD: rangeVar(0, 1_000_000, 'a dollar amount from 0 to 1000000').default(100),
    BEDROCK_REQUEST_TIMEOUT_MS: intVar(1_000, 900_000).default(120_000),
    BEDROCK_RATE_WINDOW_MS: intVar(100, 3_600_000).default(60_000),
    BEDROCK_PERMIT_VALIDITY_MS: intVar(50, 600_000).default(2_000),
    BEDROCK_GUARD_LEASE_TTL_MS: intVar(1_000, 3_600_000).default(30_000),
    BEDROCK_GUARD_WORKFLOW_ID: optionalString.default('bedrock-guard'),
    EKS_UPGRADE_PROMPTS_DIR: optionalString,
    EKS_UPGRADE_CACHE_DIR: optionalString,
    /** How long a completed shared analysis is reused by other upgrades; 0 shares nothing (default 7 days). */
    EKS_UPGRADE_ANALYSIS_CACHE_TTL_MS: intVar(0, 90 * 86_400_000).default(7 * 86_400_000),
    LOG_LEVEL: z
      .preprocess(
        (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
        z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
            error: 'expected one of trace, debug, info, warn, error, fatal, silent',
          })
          .optional(),
      )
      .default('info'),
  })
  .superRefine((cfg, ctx) => {
    // Claude 4.5+ rejects requests carrying both; we never send both, so refuse the ambiguity up front.
    if (cfg.BEDROCK_TEMPERATURE !== undefined && cfg.BEDROCK_TOP_P !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['BEDROCK_TOP_P'],
        message: 'set BEDROCK_TEMPERATURE or BEDROCK_TOP_P, not both (newer models reject requests that carry both)',
      });
    }
  })
  .transform((cfg) => ({
    awsRegion: cfg.AWS_REGION,
    bedrock: {
      modelId: cfg.BEDROCK_MODEL_ID,
      modelPrices: cfg.BEDROCK_MODEL_PRICES,
      maxTokens: cfg.BEDROCK_MAX_TOKENS,
      // Exactly one sampling parameter is sent: topP when asked for, else temperature (default 0.1).
      sampling:
        cfg.BEDROCK_TOP_P !== undefined
          ? ({ topP: cfg.BEDROCK_TOP_P } as const)
          : ({ temperature: cfg.BEDROCK_TEMPERATURE ?? 0.1 } as const),
      requestTimeoutMs: cfg.BEDROCK_REQUEST_TIMEOUT_MS,
    },
    guard: {
      workflowId: cfg.BEDROCK_GUARD_WORKFLOW_ID,
      maxRequestsPerWindow: cfg.BEDROCK_MAX_REQUESTS_PER_MINUTE,
      maxTokensPerWindow: cfg.BEDROCK_MAX_TOKENS_PER_MINUTE,
      windowMs: cfg.BEDROCK_RATE_WINDOW_MS,
      dailyCostLimitUsd: cfg.BEDROCK_DAILY_COST_LIMIT_USD,
      // A permit not used within this time is given back; the rate window holds each permit this much longer.
      permitValidityMs: cfg.BEDROCK_PERMIT_VALIDITY_MS,
      // A worker process that stops renewing its lease for this long is presumed dead.
      leaseTtlMs: cfg.BEDROCK_GUARD_LEASE_TTL_MS,
    },
    promptsDir: cfg.EKS_UPGRADE_PROMPTS_DIR,
    cacheDir: cfg.EKS_UPGRADE_CACHE_DIR,
    analysisCacheTtlMs: cfg.EKS_UPGRADE_ANALYSIS_CACHE_TTL_MS,
    reportsDir: cfg.EKS_UPGRADE_REPORTS_DIR,
    limits: toLimits(cfg),
    logLevel: cfg.LOG_LEVEL,
  }));

export type AppConfig = z.output<typeof ConfigSchema>;

/** Thrown for a bad environment; its message names every bad variable, its value and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  // A variable set to blank (`FOO=`) means "not set": drop it so defaults apply.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = env[name];
    const shown = value === undefined ? '(unset)' : `'${value}'`;
    return `  ${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nFix the variable(s) above and start again.`);
}

/** Parses configuration from an environment record (process.env in production, a literal in tests). */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  return parseEnv(ConfigSchema, env);
}

/** Only the input limits (for `scan`, which needs nothing else from the environment). */
export function loadInputLimits(env: Record<string, string | undefined>): InputLimits {
  return parseEnv(LimitsSchema, env);
}
