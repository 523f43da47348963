// The Temporal client for the command line, connected where envconfig says (see src/worker/temporal-target.ts).
import { Client, Connection } from '@temporalio/client';
import { resolveTemporalTarget } from '../worker/temporal-target';

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
