// The update state machine (eks-execution.md §8): an update is InProgress until its end time, then Successful (the
// change is applied: versions move only now) or Failed (errors[], nothing applied); its resource shows UPDATING
// from a lag after the start until the end; ListUpdates lists it after another lag. Updates are settled lazily
// against the clock on every call, so no timer runs and a stopped clock freezes everything.
import { randomUUID } from 'node:crypto';
import type { SimulatorClock } from './clock';
import { invalidParameter } from './errors';
import type { ResourceRef, UpdateErrorDetail, UpdateRecord, Wire } from './model';

export function resourceKey(resource: ResourceRef): string {
  return resource.kind === 'cluster' ? 'cluster' : `${resource.kind}/${resource.name}`;
}

/** A stable text of the request without its token: same token + same fingerprint = the same request. */
export function fingerprint(body: Wire | undefined): string {
  const { clientRequestToken: _token, ...rest } = body ?? {};
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value as Wire)
              .filter(([, v]) => v !== undefined && v !== null)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, sorted(v)]),
          )
        : value;
  return JSON.stringify(sorted(rest));
}

export interface NewUpdate {
  clusterName: string;
  resource: ResourceRef;
  operation: string;
  type: string;
  params: Array<{ type: string; value: string | undefined }>;
  durationMs: number;
  statusLagMs: number;
  listLagMs: number;
  apply: (endedAt: number) => void;
  failure?: { afterMs: number; errors: UpdateErrorDetail[]; onFail?: () => void };
  clientRequestToken?: string;
  body: Wire | undefined;
  force: boolean;
  nodePhaseMs?: number;
}

export class UpdateEngine {
  /** Every update ever created, in creation order. */
  readonly all: UpdateRecord[] = [];
  constructor(private readonly clock: SimulatorClock) {}

  /** Ends every update whose time has come, in the order they end. */
  settle(): void {
    const now = this.clock.now();
    const due = this.all
      .filter(
        (u) =>
          u.status === 'InProgress' &&
          (u.endsAt <= now || (u.cancellation?.status === 'InProgress' && u.cancellation.endsAt <= now)),
      )
      .sort((a, b) => a.endsAt - b.endsAt);
    for (const update of due) {
      if (update.cancellation?.status === 'InProgress' && update.cancellation.endsAt <= now) {
        update.status = 'Cancelled';
        update.cancellation = { ...update.cancellation, status: 'Successful' };
      } else if (update.failure) {
        update.status = 'Failed';
        update.errors = update.failure.errors;
        update.failure.onFail?.();
      } else {
        update.status = 'Successful';
        update.apply(update.endsAt);
      }
    }
  }

  running(clusterName: string, resource?: ResourceRef): UpdateRecord[] {
    return this.all.filter(
      (u) =>
        u.clusterName === clusterName &&
        u.status === 'InProgress' &&
        (resource === undefined || resourceKey(u.resource) === resourceKey(resource)),
    );
  }

  /**
   * The update this token already created for the same operation and resource: the same request gets it back
   * (whatever its status now); other parameters with the same token are refused (400, our choice: EKS does not say).
   */
  replay(
    clusterName: string,
    operation: string,
    resource: ResourceRef,
    token: string | undefined,
    body: Wire | undefined,
  ): UpdateRecord | undefined {
    if (!token) return undefined;
    const earlier = this.all.find(
      (u) =>
        u.clusterName === clusterName &&
        u.operation === operation &&
        resourceKey(u.resource) === resourceKey(resource) &&
        u.clientRequestToken === token,
    );
    if (!earlier) return undefined;
    if (earlier.fingerprint !== fingerprint(body))
      throw invalidParameter(
        `The clientRequestToken ${token} was already used for update ${earlier.id} with different parameters.`,
        { clusterName },
      );
    return earlier;
  }

  create(input: NewUpdate): UpdateRecord {
    const now = this.clock.now();
    const ends = input.failure ? now + input.failure.afterMs : now + input.durationMs;
    const update: UpdateRecord = {
      id: randomUUID(),
      clusterName: input.clusterName,
      resource: input.resource,
      operation: input.operation,
      type: input.type,
      params: input.params.filter((p): p is { type: string; value: string } => p.value !== undefined),
      createdAt: now,
      endsAt: ends,
      updatingFrom: now + (input.nodePhaseMs ?? input.statusLagMs),
      listedFrom: now + input.listLagMs,
      status: 'InProgress',
      errors: [],
      ...(input.failure
        ? {
            failure: {
              errors: input.failure.errors,
              ...(input.failure.onFail ? { onFail: input.failure.onFail } : {}),
            },
          }
        : {}),
      apply: input.apply,
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
      fingerprint: fingerprint(input.body),
      force: input.force,
      ...(input.nodePhaseMs !== undefined ? { nodePhaseEndsAt: now + input.nodePhaseMs } : {}),
    };
    this.all.push(update);
    return update;
  }

  /** The resource's status as EKS would report it: UPDATING while one of its updates runs (after the lag). */
  statusOf(clusterName: string, resource: ResourceRef, base: string): string {
    const now = this.clock.now();
    return this.running(clusterName, resource).some((u) => now >= u.updatingFrom) ? 'UPDATING' : base;
  }

  find(clusterName: string, id: string): UpdateRecord | undefined {
    return this.all.find((u) => u.clusterName === clusterName && u.id === id);
  }
}

/** The wire shape of an update (createdAt in epoch seconds). */
export function updateView(update: UpdateRecord): Wire {
  return {
    id: update.id,
    status: update.status,
    type: update.type,
    params: update.params,
    createdAt: update.createdAt / 1000,
    errors: update.errors,
    ...(update.cancellation
      ? {
          cancellation: {
            status: update.cancellation.status,
            ...(update.cancellation.reason ? { reason: update.cancellation.reason } : {}),
          },
        }
      : {}),
  };
}
