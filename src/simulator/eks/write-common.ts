// Rules every write operation shares: request fields as text, 409 while the resource (or, with the switch on, the
// cluster across resources) is busy, scripted failure details, and the answer to a replayed token.
import { tryParseMinor } from '../../domain/versions';
import type { SimulatorContext } from './context';
import { inUse } from './errors';
import type { ResourceRef, SimCluster, UpdateErrorDetail, UpdateRecord, Wire } from './model';
import type { ScriptedFailure } from './scripts';
import { resourceKey, updateView } from './updates';

/** A request field as text, when it is text. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function minorNumber(version: string): number | undefined {
  return tryParseMinor(version)?.minor;
}

/** 409 when the resource (or, with the switch on, the cluster across resources) has an update running. */
export function refuseWhenBusy(ctx: SimulatorContext, sim: SimCluster, resource: ResourceRef, type: string): void {
  const name = sim.cluster.name;
  const own = ctx.engine.running(name, resource)[0];
  const across = ctx.switches.blockAcrossResources
    ? ctx.engine
        .running(name)
        .find(
          (u) =>
            (resource.kind === 'cluster') !== (u.resource.kind === 'cluster') &&
            resourceKey(u.resource) !== resourceKey(resource),
        )
    : undefined;
  const busy = own ?? across;
  if (!busy) return;
  const holder = busy.resource.kind === 'cluster' ? `cluster ${name}` : `${busy.resource.kind} ${busy.resource.name}`;
  throw inUse(`Cannot ${type} because ${holder} currently has update ${busy.id} in progress`, {
    clusterName: name,
    ...(resource.kind === 'nodegroup' ? { nodegroupName: resource.name } : {}),
    ...(resource.kind === 'addon' ? { addonName: resource.name } : {}),
  });
}

export function failureDetail(f: ScriptedFailure, fallbackMessage: string, fallbackIds: string[]): UpdateErrorDetail[] {
  return [
    { errorCode: f.errorCode, errorMessage: f.message ?? fallbackMessage, resourceIds: f.resourceIds ?? fallbackIds },
  ];
}

export const replayed = (update: UpdateRecord | undefined): Wire | undefined =>
  update ? { update: updateView(update) } : undefined;
