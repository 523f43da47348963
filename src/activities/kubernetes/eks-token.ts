// A bearer token for the EKS Kubernetes API made the way `aws eks get-token` (awscli customizations/eks/get_token.py)
// and aws-iam-authenticator make it: an STS GetCallerIdentity request presigned with SigV4 for 60 seconds, with
// the cluster name in the signed `x-k8s-aws-id` header, as a URL, base64url-encoded without padding behind the
// prefix `k8s-aws-v1.`. The API server's authenticator accepts it for 15 minutes after X-Amz-Date; it is reused for
// 14 (awscli's TOKEN_EXPIRATION_MINS) less a minute's margin, then made again from the current credentials. The
// token is a credential: it is handed to the Kubernetes client only, never logged, returned or stored.
import { Hash } from '@smithy/core/serde';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** How long the presigned URL itself is valid (awscli URL_TIMEOUT). */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** How long the authenticator accepts a token after its X-Amz-Date. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Reused this long: awscli's 14 minutes, less a minute for clock skew and requests in flight. */
export const TOKEN_REUSE_MS = 13 * 60_000;

/** The regional STS endpoint host (aws-cn partition for cn- regions). */
export function stsHost(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

export interface EksTokenOptions {
  /** The EKS cluster name (the authenticator's cluster ID). */
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  now?: () => Date;
}

/** One token: the presigned URL as the API server's authenticator expects it. */
export async function createEksToken(options: EksTokenOptions): Promise<{ token: string; expiresAt: Date }> {
  const signingDate = options.now?.() ?? new Date();
  const hostname = stsHost(options.region);
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
  });
  const presigned = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  const url = `https://${hostname}/?${buildQueryString(presigned.query ?? {})}`;
  return {
    token: `${EKS_TOKEN_PREFIX}${Buffer.from(url, 'utf8').toString('base64url')}`,
    expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS),
  };
}

/** Tokens on demand: one at a time is made, reused until TOKEN_REUSE_MS has passed, then refreshed. */
export function eksTokenSource(options: EksTokenOptions): { get(): Promise<string> } {
  const now = options.now ?? (() => new Date());
  let current: { token: string; madeAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    get() {
      if (current && now().getTime() - current.madeAt < TOKEN_REUSE_MS) return Promise.resolve(current.token);
      pending ??= createEksToken(options)
        .then(({ token }) => {
          current = { token, madeAt: now().getTime() };
          return token;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}
