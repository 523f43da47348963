// The release-notes evidence: a local file or directory, the official CHANGELOG (downloaded, cached), or none.
// A download that keeps failing is not the end of the evidence: the extract then holds the facts table's
// removals for the target (as `none` does) and says why the notes are missing and how to fix it, so the analysis
// still runs and the decision still hears that the notes were not read.
import type { ApplicationFailure } from '@temporalio/common';
import type { ReleaseNotesSource } from '../contracts';
import type { ReleaseNotesExtract } from '../../domain/evidence';
import { eksVersionSection, extractReleaseNotes } from '../../domain/release-notes';
import { normalizeMinor } from '../../domain/versions';
import { currentActivity } from './activity-context';
import type { EvidenceDeps } from './index';
import {
  changelogUrl,
  fetchKubernetesChangelog,
  readLocalEksNotes,
  readLocalReleaseNotes,
  ReleaseNotesNotFoundError,
} from './release-notes-source';

/** "TypeError: fetch failed" says nothing: the cause (ECONNREFUSED, ENOTFOUND, a timeout) does. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : '';
  const causeText = cause instanceof Error ? cause.message : '';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within the timeout';
  return [error.message, code || causeText].filter(Boolean).join(': ');
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

export function createReleaseNotesExtractor(
  deps: EvidenceDeps,
  invalidInput: (message: string, cause?: unknown) => ApplicationFailure,
): (input: { targetVersion: string; source: ReleaseNotesSource }) => Promise<ReleaseNotesExtract> {
  const attempts = Math.max(1, deps.changelogAttempts ?? 3);
  const retryDelayMs = deps.changelogRetryDelayMs ?? 2000;

  /** The CHANGELOG text, or why it could not be had after a few attempts (a 404 is not retried). */
  async function downloadChangelog(target: string): Promise<{ text: string; source: string } | { problem: string }> {
    const options = {
      cacheDir: deps.cacheDir ?? '.eks-upgrade-cache',
      baseUrl: deps.changelogBaseUrl,
      fetchImpl: deps.fetchImpl,
    };
    const url = changelogUrl(target, deps.changelogBaseUrl);
    const context = currentActivity();
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await fetchKubernetesChangelog(target, options);
      } catch (error) {
        if (context?.cancellationSignal.aborted) throw error;
        if (error instanceof ReleaseNotesNotFoundError) {
          reason = error.message;
          break;
        }
        reason = describeFetchError(error);
        deps.logger?.warn({ url, attempt, err: reason }, 'CHANGELOG download failed');
        context?.heartbeat({ url, attempt });
        if (attempt < attempts) await pause(retryDelayMs * attempt, context?.cancellationSignal);
      }
    }
    return {
      problem: `the Kubernetes ${target} CHANGELOG could not be downloaded from ${url} (${reason}); only the facts table's removals were used. Pass --release-notes FILE (a local copy of CHANGELOG-${target}.md) or --release-notes none.`,
    };
  }

  return async function extractReleaseNotesActivity(input) {
    const target = normalizeMinor(input.targetVersion, 'target version');
    const { source } = input;
    if (source.kind === 'none') {
      // No notes asked for: the facts table's removals still reach the analysis.
      return extractReleaseNotes('', { targetVersion: target, source: 'none (facts table only)' });
    }
    let notes: { text: string; source: string };
    if (source.kind === 'kubernetes-changelog') {
      const downloaded = await downloadChangelog(target);
      if ('problem' in downloaded) {
        deps.logger?.warn({ targetVersion: target, problem: downloaded.problem }, 'release notes unavailable');
        return {
          ...extractReleaseNotes('', { targetVersion: target, source: 'facts table only (CHANGELOG download failed)' }),
          problem: downloaded.problem,
        };
      }
      notes = downloaded;
    } else {
      try {
        notes = await readLocalReleaseNotes(source.path, target);
      } catch (error) {
        if (error instanceof ReleaseNotesNotFoundError) throw invalidInput(error.message, error);
        throw error;
      }
    }
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
  };
}
