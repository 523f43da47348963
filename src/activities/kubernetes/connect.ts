// The two ways into a cluster's Kubernetes API (docs/connecting.md): a kubeconfig (--kubeconfig or KUBECONFIG or
// ~/.kube/config, --context or its current context; exec plugins such as `aws eks get-token` are run by
// @kubernetes/client-node as usual), or the EKS endpoint and CA from DescribeCluster with a token made here from the
// standard AWS credential chain. Either way the result is a KubeConfig the client uses; no credential leaves it.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { eksTokenSource } from './eks-token';

/** Bad connection settings (a missing file, an unknown context): the user's input, exit 2. */
export class KubernetesConnectionError extends Error {
  override readonly name = 'KubernetesConnectionError';
}

const EKS_TOKEN_AUTH_PROVIDER = 'eks-upgrade-agent/eks-token';

export interface KubeconfigConnection {
  kind: 'kubeconfig';
  /** A file; absent: KUBECONFIG (a path list), then ~/.kube/config. */
  path?: string;
  context?: string;
}

export interface EksConnection {
  kind: 'eks';
  clusterName: string;
  region: string;
  /** DescribeCluster `endpoint` (https://…eks.amazonaws.com). */
  endpoint: string;
  /** DescribeCluster `certificateAuthority.data`: the base64 PEM of the cluster CA. */
  certificateAuthorityData: string;
  credentials: AwsCredentialIdentityProvider;
}

export type KubernetesConnection = KubeconfigConnection | EksConnection;

/** The kubeconfig files that would be read: the explicit path, else KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigPaths(path: string | undefined, env: Record<string, string | undefined>): string[] {
  if (path) return [path];
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) return fromEnv;
  return [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** Whether a kubeconfig is there to be used (decides between the two ways in when none is named). */
export function hasKubeconfig(env: Record<string, string | undefined>): boolean {
  return kubeconfigPaths(undefined, env).some((p) => existsSync(p));
}

function fromKubeconfig(connection: KubeconfigConnection, env: Record<string, string | undefined>): KubeConfig {
  const kc = new KubeConfig();
  const paths = kubeconfigPaths(connection.path, env);
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0)
    throw new KubernetesConnectionError(
      `no kubeconfig at ${paths.join(', ')}: pass --kubeconfig FILE, set KUBECONFIG, or leave both out to connect through the EKS endpoint with your AWS credentials`,
    );
  try {
    const [first, ...rest] = present;
    kc.loadFromFile(first as string);
    for (const more of rest) {
      const other = new KubeConfig();
      other.loadFromFile(more);
      kc.mergeConfig(other, true);
    }
  } catch (error) {
    throw new KubernetesConnectionError(
      `cannot read the kubeconfig ${present.join(', ')}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (connection.context) {
    if (!kc.getContextObject(connection.context))
      throw new KubernetesConnectionError(
        `context "${connection.context}" does not exist in ${present.join(', ')} (contexts: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')})`,
      );
    kc.setCurrentContext(connection.context);
  }
  if (!kc.getCurrentCluster())
    throw new KubernetesConnectionError(
      `the kubeconfig ${present.join(', ')} has no current context: pass --context NAME`,
    );
  return kc;
}

function fromEks(connection: EksConnection): KubeConfig {
  if (!connection.endpoint || !connection.certificateAuthorityData)
    throw new KubernetesConnectionError(
      `DescribeCluster returned no endpoint or certificate authority for ${connection.clusterName}: is the cluster ACTIVE, and is its endpoint public or reachable from here?`,
    );
  const tokens = eksTokenSource({
    clusterName: connection.clusterName,
    region: connection.region,
    credentials: connection.credentials,
  });
  const kc = new KubeConfig();
  const user: User = { name: 'eks-upgrade-agent', authProvider: { name: EKS_TOKEN_AUTH_PROVIDER } };
  kc.loadFromClusterAndUser(
    {
      name: connection.clusterName,
      server: connection.endpoint,
      caData: connection.certificateAuthorityData,
      skipTLSVerify: false,
    },
    user,
  );
  kc.addAuthenticator({
    isAuthProvider: (u) => (u.authProvider as { name?: string } | undefined)?.name === EKS_TOKEN_AUTH_PROVIDER,
    applyAuthentication: async (_u, opts) => {
      const request = opts as { headers?: Record<string, unknown> };
      request.headers = { ...request.headers, Authorization: `Bearer ${await tokens.get()}` };
    },
  });
  return kc;
}

export function connectKubernetes(
  connection: KubernetesConnection,
  env: Record<string, string | undefined> = process.env,
): KubeConfig {
  return connection.kind === 'kubeconfig' ? fromKubeconfig(connection, env) : fromEks(connection);
}

/** How the connection is described in the snapshot (never a credential). */
export function describeConnection(connection: KubernetesConnection, kc: KubeConfig): string {
  if (connection.kind === 'eks')
    return `EKS endpoint of ${connection.clusterName} with an IAM token (aws eks get-token)`;
  return `kubeconfig context ${kc.getCurrentContext()}`;
}
