// How the fake API server checks an EKS IAM token, as aws-iam-authenticator does before it calls STS: the
// `k8s-aws-v1.` prefix, base64url of an https URL to the regional STS host, Action=GetCallerIdentity,
// Version=2011-06-15, SigV4 query parameters with x-k8s-aws-id among the signed headers, an X-Amz-Date no older than
// 15 minutes, and — standing in for STS — the signature recomputed with the test credentials and this cluster's
// name in x-k8s-aws-id (so a token for another cluster, or with the header unsigned, is refused).
import { Hash } from '@smithy/core/serde';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EksTokenCheck {
  token: string;
  clusterName: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  now?: () => Date;
}

export interface DecodedEksToken {
  url: URL;
  host: string;
  action: string | null;
  version: string | null;
  signedHeaders: string[];
  expiresSeconds: number;
  signedAt: Date;
}

/** Undoes the token's encoding; throws when it is not the shape `aws eks get-token` produces. */
export function decodeEksToken(token: string): DecodedEksToken {
  if (!token.startsWith('k8s-aws-v1.')) throw new Error('no k8s-aws-v1. prefix');
  const encoded = token.slice('k8s-aws-v1.'.length);
  if (/[=+/]/.test(encoded)) throw new Error('not base64url without padding');
  const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  const date = url.searchParams.get('X-Amz-Date') ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) throw new Error('no X-Amz-Date');
  return {
    url,
    host: url.host,
    action: url.searchParams.get('Action'),
    version: url.searchParams.get('Version'),
    signedHeaders: (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';'),
    expiresSeconds: Number(url.searchParams.get('X-Amz-Expires')),
    signedAt: new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)),
  };
}

export async function checkEksToken(check: EksTokenCheck): Promise<{ ok: boolean; reason?: string }> {
  let decoded: DecodedEksToken;
  try {
    decoded = decodeEksToken(check.token);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const { url } = decoded;
  const now = check.now?.() ?? new Date();
  if (url.protocol !== 'https:' || decoded.host !== `sts.${check.region}.amazonaws.com`)
    return { ok: false, reason: `host ${decoded.host}` };
  if (decoded.action !== 'GetCallerIdentity' || decoded.version !== '2011-06-15')
    return { ok: false, reason: 'not GetCallerIdentity' };
  if (url.searchParams.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { ok: false, reason: 'not SigV4' };
  if (!decoded.signedHeaders.includes('x-k8s-aws-id') || !decoded.signedHeaders.includes('host'))
    return { ok: false, reason: 'x-k8s-aws-id not signed' };
  if (now.getTime() - decoded.signedAt.getTime() > 15 * 60_000) return { ok: false, reason: 'expired' };
  if (decoded.signedAt.getTime() - now.getTime() > 5 * 60_000) return { ok: false, reason: 'dated in the future' };
  // STS's part: the signature must be the one these credentials make over this cluster's x-k8s-aws-id.
  const signer = new SignatureV4({
    service: 'sts',
    region: check.region,
    credentials: check.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!k.startsWith('X-Amz-')) query[k] = v;
  const expected = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: decoded.host,
      path: '/',
      query,
      headers: { host: decoded.host, 'x-k8s-aws-id': check.clusterName },
    }),
    { expiresIn: decoded.expiresSeconds, signingDate: decoded.signedAt },
  );
  if (expected.query?.['X-Amz-Signature'] !== url.searchParams.get('X-Amz-Signature'))
    return { ok: false, reason: 'signature does not match (other credentials, or another cluster in x-k8s-aws-id)' };
  return { ok: true };
}
