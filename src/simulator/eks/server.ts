// The simulator on HTTP/1.1, speaking EKS's REST-JSON (botocore eks/2017-11-01): the real @aws-sdk/client-eks
// reaches it through `endpoint` or AWS_ENDPOINT_URL_EKS. Routes map method + path to an operation; errors carry
// `x-amzn-errortype` and `x-amzn-requestid` with `{message, …null resource fields}`; wire faults (throttles, 5xx,
// dropped connections, slow or lost answers) are injected per operation and call. Every call is logged.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorError } from './errors';
import type { Wire } from './model';
import type { FaultSpec } from './scripts';
import type { CallRecord, EksSimulator } from './simulator';

const SEGMENT = '([^/]+)';
const ROUTES: Array<{ method: string; pattern: RegExp; operation: string; names: string[] }> = [
  ['GET', '/clusters/{name}', 'DescribeCluster'],
  ['GET', '/clusters/{name}/node-groups', 'ListNodegroups'],
  ['GET', '/clusters/{name}/node-groups/{nodegroupName}', 'DescribeNodegroup'],
  ['POST', '/clusters/{name}/node-groups/{nodegroupName}/update-version', 'UpdateNodegroupVersion'],
  ['POST', '/clusters/{name}/node-groups/{nodegroupName}/update-config', 'UpdateNodegroupConfig'],
  ['GET', '/clusters/{name}/fargate-profiles', 'ListFargateProfiles'],
  ['GET', '/clusters/{name}/fargate-profiles/{fargateProfileName}', 'DescribeFargateProfile'],
  ['GET', '/clusters/{name}/addons', 'ListAddons'],
  ['GET', '/clusters/{name}/addons/{addonName}', 'DescribeAddon'],
  ['POST', '/clusters/{name}/addons/{addonName}/update', 'UpdateAddon'],
  ['GET', '/addons/supported-versions', 'DescribeAddonVersions'],
  ['GET', '/cluster-versions', 'DescribeClusterVersions'],
  ['POST', '/clusters/{name}/insights', 'ListInsights'],
  ['GET', '/clusters/{name}/insights/{id}', 'DescribeInsight'],
  ['POST', '/clusters/{name}/insights-refresh', 'StartInsightsRefresh'],
  ['GET', '/clusters/{name}/insights-refresh', 'DescribeInsightsRefresh'],
  ['POST', '/clusters/{name}/updates', 'UpdateClusterVersion'],
  ['GET', '/clusters/{name}/updates', 'ListUpdates'],
  ['GET', '/clusters/{name}/updates/{updateId}', 'DescribeUpdate'],
  ['POST', '/clusters/{name}/updates/{updateId}/cancel-update', 'CancelUpdate'],
].map(([method, template, operation]) => ({
  method: method as string,
  operation: operation as string,
  names: [...(template as string).matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
  pattern: new RegExp(`^${(template as string).replace(/\{\w+\}/g, SEGMENT)}$`),
}));

function route(method: string, path: string): { operation: string; params: Record<string, string> } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const match = r.pattern.exec(path);
    if (!match) continue;
    return {
      operation: r.operation,
      params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')])),
    };
  }
  return undefined;
}

const FAULT_ERRORS: Record<string, { status: number; errorType: string; message: string }> = {
  throttle: { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' },
  server: { status: 500, errorType: 'ServerException', message: 'An internal error occurred. Try again.' },
  unavailable: { status: 503, errorType: 'ServiceUnavailableException', message: 'Service is unavailable. Try again.' },
};

export class EksSimulatorServer {
  private server: Server | undefined;
  private readonly faults: Array<FaultSpec & { seen: number; left: number }> = [];
  private seq = 0;

  constructor(readonly sim: EksSimulator) {}

  /** Starts on 127.0.0.1 (a free port unless given); returns the endpoint URL for the SDK. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Keep-alive sockets of a killed client must not hold stop() open.
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    return this.endpoint;
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the EKS simulator is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  /** Adds a wire fault (see FaultSpec); `times` defaults to 1. */
  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, seen: 0, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(operation: string, method: string, path: string): FaultSpec | undefined {
    for (const fault of this.faults) {
      if (fault.left <= 0) continue;
      const matches = fault.operation
        ? fault.operation === operation
        : (fault.match?.test(`${method} ${path}`) ?? false);
      if (!matches) continue;
      fault.seen += 1;
      if (fault.seen <= (fault.after ?? 0)) continue;
      fault.left -= 1;
      return fault;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const matched = route(method, path);
    const operation = matched?.operation ?? 'Unknown';
    const signedBy = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const record: CallRecord = {
      seq: ++this.seq,
      operation,
      at: this.sim.clock.now(),
      method,
      path,
      query,
      status: 0,
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(signedBy ? { signedBy } : {}),
    };
    this.sim.calls.push(record);
    let body: Wire | undefined;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as Wire);
      if (body !== undefined) record.body = body;
    } catch {
      return this.error(
        res,
        record,
        new SimulatorError(400, 'InvalidParameterException', 'The request body is not JSON'),
      );
    }
    const fault = this.takeFault(operation, method, path);
    if (fault) record.fault = fault.kind ?? 'error';
    if (fault?.kind === 'reset') return void req.socket.destroy();
    const canned = fault && (fault.kind === undefined || fault.kind === 'error' ? fault : FAULT_ERRORS[fault.kind]);
    if (fault && canned && 'status' in canned && canned.status !== undefined)
      return this.error(
        res,
        record,
        new SimulatorError(canned.status, canned.errorType ?? 'ServerException', canned.message ?? 'fault'),
      );
    if (!matched)
      return this.error(
        res,
        record,
        new SimulatorError(404, 'ResourceNotFoundException', `No resource at ${method} ${path}`),
      );
    let result: Wire;
    try {
      const before = this.sim.engine.all.length;
      result = this.sim.call(operation, { path: matched.params, query, ...(body ? { body } : {}) });
      const update = result.update as { id?: string } | undefined;
      if (update?.id) record.updateId = update.id;
      if (this.sim.engine.all.length > before) record.created = true;
    } catch (error) {
      if (error instanceof SimulatorError) return this.error(res, record, error);
      return this.error(
        res,
        record,
        new SimulatorError(400, 'InvalidParameterException', error instanceof Error ? error.message : String(error)),
      );
    }
    if (fault?.kind === 'lost-200') {
      // The change is made; the answer never arrives (the client sees a dropped connection).
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      return void req.socket.destroy();
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(result));
  }

  private error(res: ServerResponse, record: CallRecord, error: SimulatorError): void {
    record.status = error.status;
    record.errorType = error.errorType;
    res.writeHead(error.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': `${error.errorType}:http://internal.amazon.com/coral/com.amazonaws.eks/`,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(
      JSON.stringify({
        clusterName: error.resource.clusterName ?? null,
        nodegroupName: error.resource.nodegroupName ?? null,
        fargateProfileName: null,
        addonName: error.resource.addonName ?? null,
        subscriptionId: null,
        message: error.message,
      }),
    );
  }
}
