// Where Temporal is, for the worker and the CLI alike: Temporal's own envconfig (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the temporal.toml profiles), so the
// worker, the CLI and the `temporal` CLI all read the same configuration.
import { loadClientConnectConfig } from '@temporalio/envconfig';

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_ADDRESS = 'localhost:7233';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Options for Connection.connect / NativeConnection.connect, as envconfig produced them. */
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/** Resolves where Temporal is, from envconfig (environment first, then the profile file), with local defaults. */
export function resolveTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const config = loadClientConnectConfig({ overrideEnvVars });
  const address = config.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    address,
    namespace: config.namespace ?? DEFAULT_NAMESPACE,
    connectionOptions: { ...config.connectionOptions, address },
  };
}
