// Reading updates: ListUpdates returns bare ids, so each is described (with its node group or add-on named, as EKS
// requires) to learn its type, status and parameters.
import { DescribeUpdateCommand, paginateListUpdates, type EKSClient, type Update } from '@aws-sdk/client-eks';

/** Which updates: the cluster's own, or one node group's or add-on's. */
export interface UpdateScope {
  nodegroupName?: string;
  addonName?: string;
}

export function describeUpdate(
  eks: EKSClient,
  clusterName: string,
  updateId: string,
  scope: UpdateScope,
): Promise<Update | undefined> {
  return eks.send(new DescribeUpdateCommand({ name: clusterName, updateId, ...scope })).then((r) => r.update);
}

/** Every listed update of the scope, described, oldest listed first. */
export async function listUpdates(eks: EKSClient, clusterName: string, scope: UpdateScope): Promise<Update[]> {
  const ids: string[] = [];
  for await (const page of paginateListUpdates({ client: eks }, { name: clusterName, ...scope }))
    ids.push(...(page.updateIds ?? []));
  const updates: Update[] = [];
  // A few at a time: a long-lived cluster has many old updates, and DescribeUpdate is rate-limited like any call.
  for (let i = 0; i < ids.length; i += 4) {
    const batch = await Promise.all(ids.slice(i, i + 4).map((id) => describeUpdate(eks, clusterName, id, scope)));
    updates.push(...batch.filter((u): u is Update => u !== undefined));
  }
  return updates;
}

export function param(update: Update, type: string): string | undefined {
  return update.params?.find((p) => p.type === type)?.value;
}

export function isTerminal(status: string | undefined): boolean {
  return status === 'Successful' || status === 'Failed' || status === 'Cancelled';
}

/** The update id a 409 names ("… currently has update <uuid> in progress"); the message is no contract, only a hint. */
export function updateIdInMessage(message: string | undefined): string | undefined {
  return /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i.exec(message ?? '')?.[1];
}
