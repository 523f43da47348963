// The Temporal client for the command line: connection settings come from Temporal's own envconfig
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the
// temporal.toml profiles), so the CLI, the worker and the `temporal` CLI all read the same configuration.
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_ADDRESS = 'localhost:7233';
/** The dev server's Web UI (`temporal server start-dev` serves it on the frontend port + 1000). */
export const DEFAULT_UI_URL = 'http://localhost:8233';

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

export interface ConnectedClient {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

/** Opens a client connection; fails with a message naming the address and the variables that set it. */
export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<ConnectedClient> {
  const target = resolveTemporalTarget(env);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...target.connectionOptions, connectTimeout: '5s' });
  } catch (err) {
    throw new TemporalUnavailableError(
      `Cannot reach Temporal at ${target.address} (namespace ${target.namespace}): ${(err as Error).message}\n` +
        'Start a server (`npm run demo -- --keep-server`, `temporal server start-dev`, or docker compose up) ' +
        'or point TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or a TEMPORAL_PROFILE) at yours.',
    );
  }
  const client = new Client({ connection, namespace: target.namespace });
  return { client, connection, namespace: target.namespace, address: target.address, close: () => connection.close() };
}

export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/** The Web UI page of one workflow. */
export function workflowUiLink(uiBaseUrl: string, namespace: string, workflowId: string): string {
  return `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The Web UI base: EKS_UPGRADE_UI_URL when set, else the dev server's default. */
export function uiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.EKS_UPGRADE_UI_URL?.trim();
  return fromEnv ? fromEnv : DEFAULT_UI_URL;
}
