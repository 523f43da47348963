// `eks-upgrade dashboard`: a small read-only page of the fleet on 127.0.0.1 (by default), served by node:http. Each
// request reads through the Temporal client (visibility and the status queries); nothing is written anywhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { CommandContext } from '../context';
import { createFleetReader, type FleetView } from '../dashboard/fleet-view';
import { renderFleetMain, renderFleetPage } from '../dashboard/render';
import { EXIT_OK, parseDuration, UsageError } from '../usage';

export interface DashboardFlags {
  port?: string;
  host?: string;
  refresh?: string;
}

export interface DashboardServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the dashboard server; resolves once it listens. */
export async function startDashboard(options: {
  client: Client;
  namespace: string;
  uiBaseUrl: string;
  host?: string;
  port?: number;
  refreshMs?: number;
}): Promise<DashboardServer> {
  const readFleet = createFleetReader(options.client, { uiBaseUrl: options.uiBaseUrl, namespace: options.namespace });
  const refreshMs = options.refreshMs ?? 5_000;
  // One read at a time, shared by concurrent requests: a refreshing page never multiplies the load on Temporal.
  let inFlight: Promise<FleetView> | undefined;
  const read = () => (inFlight ??= readFleet().finally(() => (inFlight = undefined)));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end('read-only\n');
      return;
    }
    const send = (status: number, type: string, body: string) =>
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (path === '/' || path === '/fragment' || path === '/api/fleet') {
      read().then(
        (view) =>
          path === '/api/fleet'
            ? send(200, 'application/json', JSON.stringify(view))
            : path === '/fragment'
              ? send(200, 'text/html; charset=utf-8', renderFleetMain(view))
              : send(200, 'text/html; charset=utf-8', renderFleetPage(view, { refreshMs })),
        (err: unknown) =>
          send(502, 'text/plain; charset=utf-8', `cannot read the fleet from Temporal: ${(err as Error).message}\n`),
      );
      return;
    }
    send(404, 'text/plain; charset=utf-8', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function runDashboard(flags: DashboardFlags, ctx: CommandContext): Promise<number> {
  const port = flags.port === undefined ? 8080 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`'${flags.port}' is not a port number (0-65535)`, '--port');
  const refreshMs = flags.refresh ? parseDuration(flags.refresh, '--refresh') : 5_000;
  if (refreshMs < 1000) throw new UsageError('refresh at most once a second', '--refresh');
  const { client, namespace } = await ctx.connect();
  const dashboard = await startDashboard({
    client,
    namespace,
    uiBaseUrl: ctx.uiUrl,
    host: flags.host ?? '127.0.0.1',
    port,
    refreshMs,
  });
  ctx.out.info(`dashboard (read-only) on ${dashboard.url} — Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await dashboard.close();
  return EXIT_OK;
}
