// The evidence activities (EvidenceActivities): inventory from a snapshot file or the EKS API, release-notes
// extraction, the API-removal scan and the readiness checks. Built by a factory from their dependencies, as in
// temporalio/samples-typescript; the pure work lives in src/domain.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../../domain/logger';
import type { ClusterRole, EvidenceActivities, InventorySource, ReleaseNotesSource } from '../contracts';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../../domain/evidence';
import { buildApiScanResult, scanInsights, scanLiveObjects, scanManifestObjects } from '../../domain/api-scan';
import { extractReleaseNotes } from '../../domain/release-notes';
import { runReadinessChecks } from '../../domain/readiness';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../domain/snapshot';
import { projectSnapshot } from '../../domain/campaign-projection';
import { normalizeMinor } from '../../domain/versions';
import { UpgradeFailureType } from '../../domain/failure-types';
import { readManifestPaths } from './manifest-files';
import { eksVersionSection } from '../../domain/release-notes';
import {
  fetchKubernetesChangelog,
  readLocalEksNotes,
  readLocalReleaseNotes,
  ReleaseNotesNotFoundError,
} from './release-notes-source';

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
  /** Overrides for the CHANGELOG download (tests point them at a local server). */
  changelogBaseUrl?: string;
  fetchImpl?: typeof fetch;
  loadFromEks?: EksInventoryLoader;
  now?: () => Date;
}

const INVALID_INPUT = UpgradeFailureType.InvalidEvidenceInput;

function invalidInput(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: INVALID_INPUT,
    nonRetryable: true,
    cause: cause instanceof Error ? cause : undefined,
  });
}

export async function loadSnapshotFile(path: string): Promise<ClusterSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the snapshot file ${path}: check the path (see docs/snapshot.md for the format)`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the snapshot file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return parseClusterSnapshot(json, path);
}

export function createEvidenceActivities(deps: EvidenceDeps = {}): EvidenceActivities {
  const now = deps.now ?? (() => new Date());

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
        return await loadSnapshotFile(source.path);
      } catch (error) {
        throw invalidInput(error instanceof Error ? error.message : String(error), error);
      }
    }
    if (!deps.loadFromEks)
      throw invalidInput(
        'reading the cluster from the EKS API is not configured on this worker; give a snapshot file instead',
      );
    return deps.loadFromEks({
      clusterName: source.clusterName,
      region: source.region,
      ...(source.role ? { role: source.role } : {}),
    });
  }

  async function extractReleaseNotesActivity(input: {
    targetVersion: string;
    source: ReleaseNotesSource;
  }): Promise<ReleaseNotesExtract> {
    const target = normalizeMinor(input.targetVersion, 'target version');
    const { source } = input;
    if (source.kind === 'none') {
      // No notes asked for: the facts table's removals still reach the analysis.
      return extractReleaseNotes('', { targetVersion: target, source: 'none (facts table only)' });
    }
    try {
      const notes =
        source.kind === 'file'
          ? await readLocalReleaseNotes(source.path, target)
          : await fetchKubernetesChangelog(target, {
              cacheDir: deps.cacheDir ?? '.eks-upgrade-cache',
              baseUrl: deps.changelogBaseUrl,
              fetchImpl: deps.fetchImpl,
            });
      // A directory may also hold the EKS user guide's version notes (kubernetes-versions-*.adoc).
      const eks =
        source.kind === 'file'
          ? await readLocalEksNotes(source.path, target, (adoc) => eksVersionSection(adoc, target) !== undefined)
          : undefined;
      const extract = extractReleaseNotes(notes.text, {
        targetVersion: target,
        source: eks ? `${notes.source} + ${eks.source}` : notes.source,
        eksNotesAdoc: eks?.text,
      });
      deps.logger?.info(
        {
          targetVersion: target,
          source: notes.source,
          entries: extract.entries.length,
          fullTokens: extract.fullTokens,
          extractTokens: extract.extractTokens,
        },
        'release notes extracted',
      );
      return extract;
    } catch (error) {
      if (error instanceof ReleaseNotesNotFoundError) throw invalidInput(error.message, error);
      throw error; // network trouble: retryable
    }
  }

  async function scanApiRemovals(input: {
    manifestPaths: string[];
    snapshot?: ClusterSnapshot;
    currentVersion: string;
    targetVersion: string;
  }): Promise<ApiScanResult> {
    const versions = { currentVersion: input.currentVersion, targetVersion: input.targetVersion };
    const parsed = await readManifestPaths(input.manifestPaths);
    const findings = [
      ...scanManifestObjects(parsed.objects, versions),
      ...scanLiveObjects(input.snapshot?.liveObjects ?? [], versions),
      ...scanInsights(input.snapshot?.insights ?? [], versions),
    ];
    const result = buildApiScanResult({
      targetVersion: input.targetVersion,
      findings,
      errors: parsed.errors,
      objectsScanned: parsed.objects.length + (input.snapshot?.liveObjects?.length ?? 0),
    });
    deps.logger?.info(
      {
        findings: result.findings.length,
        removed: result.findings.filter((f) => f.removedByTarget).length,
        errors: result.errors.length,
      },
      'API removal scan done',
    );
    return result;
  }

  async function checkClusterReadiness(input: {
    snapshot: ClusterSnapshot;
    targetVersion: string;
    manifestPaths: string[];
  }): Promise<ReadinessReport> {
    const manifests =
      input.manifestPaths.length > 0 ? (await readManifestPaths(input.manifestPaths)).objects : undefined;
    return runReadinessChecks({ snapshot: input.snapshot, targetVersion: input.targetVersion, manifests, now: now() });
  }

  return {
    loadClusterInventory,
    extractReleaseNotes: extractReleaseNotesActivity,
    scanApiRemovals,
    checkClusterReadiness,
  };
}
