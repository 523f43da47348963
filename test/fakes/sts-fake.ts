// A wire-level fake of AWS STS AssumeRole, speaking the Query protocol the SDK uses (POST, form-encoded
// Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…, an XML answer or an XML ErrorResponse). The real
// credential providers reach it through AWS_ENDPOINT_URL_STS or the client's `endpoint`. Each grant is fresh
// temporary credentials (ASIA… key ids), so a test can tell which calls were signed with them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AssumeRoleCall {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  /** The key id that signed the AssumeRole request (the worker's own credentials). */
  signedBy?: string;
  /** The key id granted, or the error code answered. */
  granted?: string;
  error?: string;
}

export interface StsFake {
  url: string;
  calls: AssumeRoleCall[];
  /** Every secret the fake handed out: none of them may appear in history or logs. */
  secrets(): string[];
  close(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The access key id in a SigV4 Authorization header (`Credential=AKID/date/region/service/aws4_request`). */
export function signingKeyId(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorXml(code: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * `allowedRoles`: the role ARNs the caller may assume; any other gets AccessDenied, as a trust policy would.
 * `credentials`: what a role's sessions are granted (so another fake can check signatures); fresh ones otherwise.
 */
export async function startStsFake(options: {
  allowedRoles: string[];
  credentials?: Record<string, FakeCredentials>;
}): Promise<StsFake> {
  const calls: AssumeRoleCall[] = [];
  const secrets: string[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const form = new URLSearchParams(body);
      const requestId = `fake-sts-${++seq}`;
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(xml);
      };
      if (req.method !== 'POST' || form.get('Action') !== 'AssumeRole' || form.get('Version') !== '2011-06-15') {
        reply(400, errorXml('InvalidAction', `unsupported: ${req.method} ${form.get('Action') ?? '?'}`, requestId));
        return;
      }
      const roleArn = form.get('RoleArn') ?? '';
      const sessionName = form.get('RoleSessionName') ?? '';
      const duration = form.get('DurationSeconds');
      const call: AssumeRoleCall = {
        roleArn,
        sessionName,
        ...(duration ? { durationSeconds: Number(duration) } : {}),
        ...(signingKeyId(req.headers.authorization) ? { signedBy: signingKeyId(req.headers.authorization) } : {}),
      };
      calls.push(call);
      if (!options.allowedRoles.includes(roleArn)) {
        call.error = 'AccessDenied';
        const message = `User: arn:aws:iam::111111111111:user/worker is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
        reply(403, errorXml('AccessDenied', message, requestId));
        return;
      }
      const fixed = options.credentials?.[roleArn];
      const keyId = fixed?.accessKeyId ?? `ASIAFAKE${String(seq).padStart(12, '0')}`;
      const secret = fixed?.secretAccessKey ?? `fake-secret-${seq}-${Math.random().toString(36).slice(2)}`;
      const token = fixed?.sessionToken ?? `fake-session-token-${seq}-${Math.random().toString(36).slice(2)}`;
      secrets.push(secret, token);
      call.granted = keyId;
      const expiration = new Date(Date.now() + Number(duration ?? 3600) * 1000).toISOString();
      const account = /::(\d{12}):/.exec(roleArn)?.[1] ?? '000000000000';
      const roleName = roleArn.split('/').pop() ?? 'role';
      reply(
        200,
        `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
          `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
          `<SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${sessionName}</AssumedRoleId>` +
          `<Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}</Arn></AssumedRoleUser>` +
          `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    secrets: () => [...secrets],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
