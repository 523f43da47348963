// Helm v3 release Secrets (type helm.sh/release.v1) decoded: the Secret's `data.release` is base64 (the Secret
// encoding) of base64 (Helm's encoding) of gzip of the release JSON. Used for the live cluster and for release
// Secrets given to `scan` as files (`kubectl get secret -o json`). The decoded release — values, manifests that may
// embed Secrets — never leaves this module's callers: only HelmReleaseSummary (identity + tracked objects) does.
import { gunzipSync } from 'node:zlib';
import {
  HELM_RELEASE_SECRET_TYPE,
  helmReleaseRecordOf,
  latestDeployed,
  summarizeHelmRelease,
  type HelmReleaseRecord,
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

export function isHelmReleaseSecret(body: Json): boolean {
  return body.kind === 'Secret' && body.type === HELM_RELEASE_SECRET_TYPE;
}

/** Decodes one release Secret (live or from a file) into the record a scan needs; the payload is dropped. */
export function helmReleaseRecordFromSecret(secret: Json): HelmReleaseRecord {
  const metadata = record(secret.metadata);
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : 'default';
  const field = record(secret.data)?.release;
  if (typeof field !== 'string') throw new Error('the Secret has no data.release');
  const parsed = helmReleaseRecordOf(decodeHelmReleaseField(field), namespace);
  if (!parsed) throw new Error('the decoded release has no name');
  return parsed;
}

export interface ReleaseSecretsFromFiles {
  /** The other objects, unchanged. */
  objects: ManifestObject[];
  /** The newest deployed revision of each release found, with the file and line of its Secret. */
  releases: Array<{ summary: HelmReleaseSummary; file: string; line: number }>;
  errors: ManifestParseError[];
}

/**
 * Release Secrets among parsed manifest objects are replaced by their releases (newest deployed revision of each
 * namespace/name; superseded revisions are dropped), reduced to the objects whose API `isTracked`.
 */
export function expandHelmReleaseSecrets(
  objects: ManifestObject[],
  isTracked: (apiVersion: string, kind: string) => boolean,
): ReleaseSecretsFromFiles {
  const rest: ManifestObject[] = [];
  const errors: ManifestParseError[] = [];
  const decoded: Array<{
    record: HelmReleaseRecord;
    file: string;
    line: number;
    namespace: string;
    releaseName: string;
    revision: number;
    status: string;
  }> = [];
  for (const object of objects) {
    if (!isHelmReleaseSecret(object.body)) {
      rest.push(object);
      continue;
    }
    try {
      const release = helmReleaseRecordFromSecret(object.body);
      decoded.push({
        record: release,
        file: object.file,
        line: object.line,
        namespace: release.namespace,
        releaseName: release.name,
        revision: release.revision,
        status: release.status,
      });
    } catch (error) {
      errors.push({
        file: object.file,
        line: object.line,
        message: `Helm release Secret ${object.namespace ?? 'default'}/${object.name}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const releases = latestDeployed(decoded).map(({ latest, otherDeployed }) => ({
    summary: summarizeHelmRelease(latest.record, isTracked, otherDeployed),
    file: latest.file,
    line: latest.line,
  }));
  return { objects: rest, releases, errors };
}
