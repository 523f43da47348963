// The evidence activities (EvidenceActivities): inventory from a snapshot file or the EKS API, release-notes
// extraction, the API-removal scan and the readiness checks. Built by a factory from their dependencies, as in
// temporalio/samples-typescript; the pure work lives in src/domain. Manifests are streamed with bounded input
// (limits), heartbeats and cancellation; results carry counts and a bounded list of findings per code, the rest
// going to report files (reports.ts), so no payload nears Temporal's 2 MB limit whatever the input.
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../../domain/logger';
import type { ClusterRole, EvidenceActivities, InventorySource, ReleaseNotesSource } from '../contracts';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../../domain/evidence';
import { UpgradeFailureType } from '../../domain/failure-types';
import { boundApiScanResult, buildApiScanResult, resolveScanVersions } from '../../domain/api-scan';
import { scanSnapshotApis } from '../../domain/api-scan-cluster';
import { applySuppressions, type UpgradeConfig } from '../../domain/suppressions';
import { parseVersionsFile } from '../../domain/third-party-apis';
import { createFileScan } from '../kubernetes/file-scan';
import { DEFAULT_MAX_SNAPSHOT_BYTES } from '../../domain/config';
import { DEFAULT_MANIFEST_LIMITS, ManifestLimitError, type ManifestLimits } from '../../domain/manifest-limits';
import type { ManifestObject } from '../../domain/manifests';
import { boundReadinessReport, runReadinessChecks } from '../../domain/readiness';
import { compactSnapshot, redactSnapshot, type ClusterSnapshot } from '../../domain/snapshot';
import { projectSnapshot } from '../../domain/campaign-projection';
import { activityProgress, artifactScope } from './activity-context';
import { readManifests, type ManifestReadProgress } from './manifest-files';
import { createReleaseNotesExtractor } from './release-notes-activity';
import { DEFAULT_REPORTS_DIR, MAX_FINDINGS_PER_CODE, writeApiScanReport, writeReadinessReport } from './reports';
import { loadSnapshotFile, SnapshotTooLargeError } from './snapshot-file';

export { loadSnapshotFile } from './snapshot-file';

/** Reads a cluster from the EKS API (see ../eks-inventory.ts); injected so tests can point it at the fake. */
export type EksInventoryLoader = (input: {
  clusterName: string;
  region: string;
  targetVersion?: string;
  /** Assume this role for the cluster's calls instead of using the worker's own credentials. */
  role?: ClusterRole;
}) => Promise<ClusterSnapshot>;

export interface EvidenceDeps {
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Directory for the downloaded CHANGELOG files (EKS_UPGRADE_CACHE_DIR); defaults to ./.eks-upgrade-cache. */
  cacheDir?: string;
  /** Where complete findings are written when a payload carries only part (EKS_UPGRADE_REPORTS_DIR). */
  reportsDir?: string;
  /** Overrides for the CHANGELOG download (tests point them at a local server). */
  changelogBaseUrl?: string;
  fetchImpl?: typeof fetch;
  /** Download attempts before falling back to the facts table, and the pause after the first failure. */
  changelogAttempts?: number;
  changelogRetryDelayMs?: number;
  loadFromEks?: EksInventoryLoader;
  now?: () => Date;
  /** Input bounds (EKS_UPGRADE_MAX_MANIFEST_*, EKS_UPGRADE_MAX_SNAPSHOT_BYTES). */
  limits?: { manifests?: ManifestLimits; maxSnapshotBytes?: number };
  /** Findings of one code kept in a payload; the default suits Temporal's payload limit. */
  maxFindingsPerCode?: number;
}

export const INVALID_INPUT = UpgradeFailureType.InvalidEvidenceInput;
export const LIMIT_EXCEEDED = UpgradeFailureType.EvidenceLimitExceeded;

function invalidInput(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: INVALID_INPUT,
    nonRetryable: true,
    cause: cause instanceof Error ? cause : undefined,
  });
}

/** A limit is not a transient fault: retrying an out-of-bounds input only repeats the work. */
function limitExceeded(error: ManifestLimitError | SnapshotTooLargeError): ApplicationFailure {
  return ApplicationFailure.create({
    message: error.message,
    type: LIMIT_EXCEEDED,
    nonRetryable: true,
    details: [{ variable: error.variable }],
  });
}

/** Workload and PDB facts are all the readiness checks keep of a manifest object. */
function neededByReadiness(object: ManifestObject): boolean {
  return !object.unrendered && (object.workload !== undefined || object.pdb !== undefined);
}

export function createEvidenceActivities(deps: EvidenceDeps = {}): EvidenceActivities {
  const now = deps.now ?? (() => new Date());
  const manifestLimits = deps.limits?.manifests ?? DEFAULT_MANIFEST_LIMITS;
  const maxPerCode = deps.maxFindingsPerCode ?? MAX_FINDINGS_PER_CODE;
  const reportsDir = deps.reportsDir ?? DEFAULT_REPORTS_DIR;

  async function streamManifests(
    paths: string[],
    targetVersion: string,
    onObject: (object: ManifestObject) => void,
  ): Promise<Awaited<ReturnType<typeof readManifests>>> {
    try {
      return await readManifests(paths, onObject, {
        limits: manifestLimits,
        targetVersion,
        ...activityProgress<ManifestReadProgress>(),
      });
    } catch (error) {
      if (error instanceof ManifestLimitError) throw limitExceeded(error);
      throw error;
    }
  }

  async function loadClusterInventory(source: InventorySource): Promise<ClusterSnapshot> {
    const snapshot = await readClusterInventory(source);
    if (!source.assumeUpgradedTo) return snapshot;
    try {
      return projectSnapshot(snapshot, source.assumeUpgradedTo);
    } catch (error) {
      throw invalidInput(error instanceof Error ? error.message : String(error), error);
    }
  }

  async function readClusterInventory(source: InventorySource): Promise<ClusterSnapshot> {
    if (source.kind === 'snapshot') {
      try {
        return compactSnapshot(
          await loadSnapshotFile(source.path, deps.limits?.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES),
        );
      } catch (error) {
        if (error instanceof SnapshotTooLargeError) throw limitExceeded(error);
        throw invalidInput(error instanceof Error ? error.message : String(error), error);
      }
    }
    if (!deps.loadFromEks)
      throw invalidInput(
        'reading the cluster from the EKS API is not configured on this worker; give a snapshot file instead',
      );
    let snapshot: ClusterSnapshot;
    try {
      snapshot = await deps.loadFromEks({
        clusterName: source.clusterName,
        region: source.region,
        ...(source.role ? { role: source.role } : {}),
      });
    } catch (error) {
      // Bad connection settings (an unknown kubeconfig context, one pointing at another cluster) will not heal.
      if (error instanceof Error && error.name === 'KubernetesConnectionError')
        throw invalidInput(error.message, error);
      throw error;
    }
    return compactSnapshot(redactSnapshot(snapshot));
  }

  async function scanApiRemovals(input: {
    manifestPaths: string[];
    snapshot?: ClusterSnapshot;
    currentVersion: string;
    targetVersion: string;
    config?: UpgradeConfig;
  }): Promise<ApiScanResult> {
    const versions = { currentVersion: input.currentVersion, targetVersion: input.targetVersion };
    const resolved = resolveScanVersions(versions);
    const user = input.config?.additionalVersions
      ? parseVersionsFile(input.config.additionalVersions, '.eks-upgrade.yaml additionalVersions')
      : undefined;
    const files = createFileScan(versions, user, input.snapshot?.customResourceDefinitions);
    const read = await streamManifests(input.manifestPaths, resolved.targetVersion, (object) => files.onObject(object));
    const fromFiles = files.finish();
    const cluster = input.snapshot
      ? scanSnapshotApis(input.snapshot, versions, user)
      : { findings: [], sourcesSkipped: [], objectsScanned: 0 };
    const findings = [...fromFiles.findings, ...cluster.findings];
    const errors = [...read.errors, ...fromFiles.errors];
    const omittedLive = input.snapshot?.liveObjectsOmitted ?? 0;
    if (omittedLive > 0)
      errors.push({
        file: 'snapshot liveObjects',
        message: `${omittedLive} more live objects with deprecated or removed last-applied apiVersions were left out of the snapshot to keep it small; list them with kubectl and check them by hand`,
      });
    const built = buildApiScanResult({
      targetVersion: input.targetVersion,
      findings,
      errors,
      errorsOmitted: read.errorCount - read.errors.length,
      objectsScanned:
        read.objects +
        fromFiles.helmObjects +
        (input.snapshot?.liveObjectsTotal ?? input.snapshot?.liveObjects?.length ?? 0) +
        (input.snapshot?.helmReleases ?? []).reduce((n, r) => n + r.objects.length, 0),
    });
    // Suppressions before bounding, so the findings kept and the counts agree with what the rules allow.
    const suppressed = applySuppressions({
      config: input.config,
      targetVersion: built.targetVersion,
      now: now(),
      apiScan: built,
    });
    const full: ApiScanResult = {
      ...suppressed.apiScan,
      ...(cluster.sourcesSkipped.length > 0 ? { sourcesSkipped: cluster.sourcesSkipped } : {}),
      ...(suppressed.warnings.length > 0 ? { suppressionWarnings: suppressed.warnings } : {}),
    };
    let result = boundApiScanResult(full, maxPerCode);
    if ((result.findingsOmitted ?? 0) > 0 || result.errors.length < full.errors.length) {
      try {
        const path = await writeApiScanReport(reportsDir, artifactScope(), full, resolved.currentVersion);
        result = { ...result, fullReport: path };
      } catch (error) {
        deps.logger?.warn({ err: (error as Error).message, reportsDir }, 'could not write the full API scan report');
      }
    }
    deps.logger?.info(
      {
        objects: result.objectsScanned,
        findings: result.findingCounts,
        omitted: result.findingsOmitted,
        errors: read.errorCount,
        ...(result.fullReport ? { fullReport: result.fullReport } : {}),
      },
      'API removal scan done',
    );
    return result;
  }

  async function checkClusterReadiness(input: {
    snapshot: ClusterSnapshot;
    targetVersion: string;
    manifestPaths: string[];
    config?: UpgradeConfig;
  }): Promise<ReadinessReport> {
    let manifests: ManifestObject[] | undefined;
    if (input.manifestPaths.length > 0) {
      const kept: ManifestObject[] = [];
      await streamManifests(input.manifestPaths, input.targetVersion, (object) => {
        if (neededByReadiness(object)) kept.push(object);
      });
      manifests = kept;
    }
    const checked = runReadinessChecks({
      snapshot: input.snapshot,
      targetVersion: input.targetVersion,
      manifests,
      now: now(),
      ...(input.config ? { settings: input.config.checks } : {}),
    });
    const suppressed = applySuppressions({
      config: input.config,
      targetVersion: checked.targetVersion,
      now: now(),
      readiness: checked,
    });
    const full: ReadinessReport =
      suppressed.warnings.length > 0
        ? { ...suppressed.readiness, suppressionWarnings: suppressed.warnings }
        : suppressed.readiness;
    let report = boundReadinessReport(full, maxPerCode);
    if ((report.findingsOmitted ?? 0) > 0) {
      try {
        report = { ...report, fullReport: await writeReadinessReport(reportsDir, artifactScope(), full) };
      } catch (error) {
        deps.logger?.warn({ err: (error as Error).message, reportsDir }, 'could not write the full readiness report');
      }
    }
    return report;
  }

  const extractReleaseNotes = createReleaseNotesExtractor(deps, invalidInput);

  return {
    loadClusterInventory,
    extractReleaseNotes: (input: { targetVersion: string; source: ReleaseNotesSource }): Promise<ReleaseNotesExtract> =>
      extractReleaseNotes(input),
    scanApiRemovals,
    checkClusterReadiness,
  };
}
