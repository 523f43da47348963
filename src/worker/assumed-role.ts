// Credentials for a cluster in another account: the worker assumes the cluster's role through STS (AssumeRole,
// with its own credentials from the usual chain) and signs that cluster's EKS and EC2 calls with the temporary
// credentials. They live only in this process: never in an activity's input or result (so never in workflow
// history) and never in a log line. AWS_ENDPOINT_URL_STS points STS elsewhere, as for every other AWS client.
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ApplicationFailure } from '@temporalio/common';
import { UpgradeFailureType } from '../domain/failure-types';

export interface RoleToAssume {
  roleArn: string;
  /** The STS session name CloudTrail shows for the calls (src/domain/aws-role.ts builds it). */
  sessionName: string;
  /** The cluster's region: STS is called there (regional endpoint). */
  region: string;
}

/** Who assumes the role: the worker's own credentials (the usual chain). */
export type SourceCredentials = AwsCredentialIdentityProvider;

/** Temporary credentials last an hour and are refreshed five minutes before they expire. */
const SESSION_SECONDS = 3600;
const REFRESH_BEFORE_MS = 5 * 60_000;

export interface AssumedRole {
  credentials: AwsCredentialIdentityProvider;
  /**
   * Assumes the role now, before the cluster is read, so a refusal is reported as what it is: which role, which
   * cluster, STS's reason and the fix (an AssumeRoleFailed ApplicationFailure).
   */
  ready(clusterName: string): Promise<void>;
  /** Closes the STS client's connections. */
  destroy(): void;
}

/**
 * One credentials source for one role session, shared by every client of one cluster read: STS is asked once,
 * then again only when the credentials near expiry (the SDK clients would each ask on their own otherwise).
 */
export function assumeRole(role: RoleToAssume, source: SourceCredentials): AssumedRole {
  const requestHandler = new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout: 30_000 });
  const fetch = fromTemporaryCredentials({
    masterCredentials: source,
    params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName, DurationSeconds: SESSION_SECONDS },
    // SDK retries kept low: Temporal retries the activity.
    clientConfig: { region: role.region, requestHandler, maxAttempts: 2 },
  });
  let current: Promise<AwsCredentialIdentity> | undefined;
  let refreshAt = Number.POSITIVE_INFINITY;
  const credentials: AwsCredentialIdentityProvider = () => {
    if (!current || Date.now() >= refreshAt) {
      const next = fetch();
      current = next;
      refreshAt = Number.POSITIVE_INFINITY;
      next.then(
        (c) => {
          if (current === next) refreshAt = (c.expiration?.getTime() ?? Number.POSITIVE_INFINITY) - REFRESH_BEFORE_MS;
        },
        () => {
          if (current === next) current = undefined; // a failed attempt is not kept: the next call asks again
        },
      );
    }
    return current;
  };
  return {
    credentials,
    ready: (clusterName) =>
      credentials().then(
        () => undefined,
        (error: unknown) => Promise.reject(refusal(role, clusterName, error)),
      ),
    destroy: () => requestHandler.destroy(),
  };
}

function awsErrorOf(error: unknown): { name: string; message: string; fault?: string } {
  const e = error as { name?: string; message?: string; $fault?: string };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(error), ...(e?.$fault ? { fault: e.$fault } : {}) };
}

/**
 * STS's client errors (AccessDenied, a malformed ARN, a disabled region) are final; throttling, server errors and
 * network failures are left to the activity's retries.
 */
function refusal(role: RoleToAssume, clusterName: string, error: unknown): ApplicationFailure {
  const e = awsErrorOf(error);
  const final = e.fault === 'client' && !/throttl/i.test(e.name);
  return ApplicationFailure.create({
    type: UpgradeFailureType.AssumeRoleFailed,
    nonRetryable: final,
    message:
      `could not assume ${role.roleArn} (session ${role.sessionName}) to read cluster ${clusterName} in ${role.region}: ${e.name}: ${e.message}` +
      (final
        ? `. Let the worker's identity assume it: the role's trust policy must allow sts:AssumeRole for it, or remove roleArn.`
        : ''),
  });
}
