// Helm v3 release Secrets (type helm.sh/release.v1) decoded: the Secret's `data.release` is base64 (the Secret
// encoding) of base64 (Helm's encoding) of gzip of the release JSON. Used for the live cluster and for release
// Secrets given to `scan` as files (`kubectl get secret -o json`). The decoded release — values, manifests that may
// embed Secrets — never leaves this module's callers: only HelmReleaseSummary (identity + tracked objects) does.
import { gunzipSync } from 'node:zlib';
import {
  helmReleaseRecordOf,
  latestDeployed,
  summarizeHelmRelease,
  type HelmReleaseRecord,
  type ReleaseSecretRef,
} from '../../domain/helm-release';
import type { HelmReleaseSummary } from '../../domain/kubernetes-inventory';
import type { ManifestObject, ManifestParseError } from '../../domain/manifests';

/** A decoded release larger than this is refused (a release Secret holds at most 1 MiB compressed). */
const MAX_RELEASE_BYTES = 64 * 1024 * 1024;

/** `data.release` of a release Secret → the release JSON. Throws with a plain reason on anything malformed. */
export function decodeHelmReleaseField(releaseField: string): unknown {
  const helmEncoded = Buffer.from(releaseField, 'base64').toString('utf8');
  let bytes = Buffer.from(helmEncoded.trim(), 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes, { maxOutputLength: MAX_RELEASE_BYTES });
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new Error('the release payload is not base64-encoded gzip JSON as Helm 3 writes it');
  }
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Decodes one release Secret read from the cluster into the record a scan needs; the payload is dropped. */
export function helmReleaseRecordFromSecret(secret: Json): HelmReleaseRecord {
  const metadata = record(secret.metadata);
  const field = record(secret.data)?.release;
  if (typeof field !== 'string') throw new Error('the Secret has no data.release');
  return helmReleaseRecordFromPayload(field, typeof metadata?.namespace === 'string' ? metadata.namespace : 'default');
}

export function helmReleaseRecordFromPayload(releaseField: string, namespace: string): HelmReleaseRecord {
  const parsed = helmReleaseRecordOf(decodeHelmReleaseField(releaseField), namespace);
  if (!parsed) throw new Error('the decoded release has no name');
  return parsed;
}

interface Collected extends ReleaseSecretRef {
  summary: HelmReleaseSummary;
  file: string;
  line: number;
}

/**
 * Release Secrets among streamed manifest objects (`kubectl get secret -o json` files): each is decoded as it
 * arrives and reduced at once to its tracked objects, so no payload is held; `finish` keeps the newest deployed
 * revision of each namespace/name (superseded revisions are dropped) and reports undecodable Secrets.
 */
export class HelmReleaseCollector {
  private readonly collected: Collected[] = [];
  readonly errors: ManifestParseError[] = [];

  constructor(private readonly isTracked: (apiVersion: string, kind: string) => boolean) {}

  /** True when the object was a release Secret (and so is not a manifest object to scan as such). */
  offer(object: ManifestObject): boolean {
    if (object.helmReleasePayload === undefined) return false;
    try {
      const release = helmReleaseRecordFromPayload(object.helmReleasePayload, object.namespace ?? 'default');
      this.collected.push({
        namespace: release.namespace,
        releaseName: release.name,
        revision: release.revision,
        status: release.status,
        summary: summarizeHelmRelease(release, this.isTracked),
        file: object.file,
        line: object.line,
      });
    } catch (error) {
      this.errors.push({
        file: object.file,
        line: object.line,
        message: `Helm release Secret ${object.namespace ?? 'default'}/${object.name}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    return true;
  }

  finish(): Array<{ summary: HelmReleaseSummary; file: string; line: number }> {
    return latestDeployed(this.collected).map(({ latest, otherDeployed }) => ({
      summary: otherDeployed.length > 0 ? { ...latest.summary, otherDeployedRevisions: otherDeployed } : latest.summary,
      file: latest.file,
      line: latest.line,
    }));
  }
}
