// A wire-level fake of the two EC2 calls the inventory makes (EC2 query protocol: form-encoded POST, XML answer):
// DescribeSubnets (free IPs of the control-plane subnets) and DescribeLaunchTemplates (latest version numbers).
// The real @aws-sdk/client-ec2 talks to it through `endpoint` or AWS_ENDPOINT_URL_EC2.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSubnet {
  subnetId: string;
  availabilityZone: string;
  availableIpAddressCount: number;
  cidrBlock?: string;
}
export interface FakeLaunchTemplate {
  launchTemplateId: string;
  launchTemplateName: string;
  latestVersionNumber: number;
  defaultVersionNumber: number;
}

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function item(fields: Record<string, string | number | undefined>): string {
  return `<item>${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${escape(String(v))}</${k}>`)
    .join('')}</item>`;
}

export class FakeEc2 {
  /** Every request: the action, its parameters and the access key id that signed it. */
  readonly actions: Array<{ action: string; params: Record<string, string>; signedBy?: string }> = [];
  /** When set, every request fails with this EC2 error code (e.g. UnauthorizedOperation). */
  denyWith: string | undefined;
  private server: Server | undefined;

  constructor(
    public subnets: FakeSubnet[],
    public launchTemplates: FakeLaunchTemplate[],
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const action = params.Action ?? '';
        const signedBy = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
        this.actions.push({ action, params, ...(signedBy ? { signedBy } : {}) });
        const ids = (prefix: string) =>
          Object.entries(params)
            .filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k))
            .map(([, v]) => v);
        if (this.denyWith)
          return this.reply(
            res,
            403,
            `<Response><Errors><Error><Code>${this.denyWith}</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>req-1</RequestID></Response>`,
          );
        if (action === 'DescribeSubnets') {
          const wanted = ids('SubnetId');
          const missing = wanted.find((id) => !this.subnets.some((s) => s.subnetId === id));
          if (missing)
            return this.reply(
              res,
              400,
              `<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>The subnet ID '${missing}' does not exist</Message></Error></Errors><RequestID>req-2</RequestID></Response>`,
            );
          const list = this.subnets.filter((s) => wanted.length === 0 || wanted.includes(s.subnetId));
          return this.reply(
            res,
            200,
            `<DescribeSubnetsResponse xmlns="${XMLNS}"><requestId>req-3</requestId><subnetSet>${list.map((s) => item({ subnetId: s.subnetId, availabilityZone: s.availabilityZone, availableIpAddressCount: s.availableIpAddressCount, cidrBlock: s.cidrBlock ?? '10.0.0.0/24', state: 'available' })).join('')}</subnetSet></DescribeSubnetsResponse>`,
          );
        }
        if (action === 'DescribeLaunchTemplates') {
          const wanted = ids('LaunchTemplateId');
          const list = this.launchTemplates.filter((t) => wanted.length === 0 || wanted.includes(t.launchTemplateId));
          return this.reply(
            res,
            200,
            `<DescribeLaunchTemplatesResponse xmlns="${XMLNS}"><requestId>req-4</requestId><launchTemplates>${list.map((t) => item({ ...t })).join('')}</launchTemplates></DescribeLaunchTemplatesResponse>`,
          );
        }
        return this.reply(
          res,
          400,
          `<Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${escape(action)} is not valid for this web service.</Message></Error></Errors><RequestID>req-5</RequestID></Response>`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  private reply(res: import('node:http').ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }
}
