// Report rendering: the headline a person scanning the Web UI reads, the Markdown report and the JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportJson, renderReportMarkdown } from '../../src/domain/report';
import {
  currentDetailsMarkdown,
  markdownText,
  renderFailureReportMarkdown,
  upgradeHeadline,
} from '../../src/domain/status-render';
import type { UpgradeFailure } from '../../src/domain/upgrade-report';
import type { UpgradeReport, UpgradeStatus } from '../../src/workflows/upgrade-messages';
import { upgradeStaticDetails, upgradeStaticSummary } from '../../src/workflows/upgrade-messages';

const status: UpgradeStatus = {
  workflowId: 'upgrade-prod-east-1.31',
  clusterName: 'prod-east',
  currentVersion: '1.30',
  targetVersion: '1.31',
  phase: 'awaiting-approval',
  progress: { done: 4, total: 8 },
  findingsCount: 3,
  approval: 'pending',
  costUsd: 0.0421,
  mode: 'analyze',
  notes: ['a note'],
  headline: '',
  skippedAnalyses: [
    { template: 'RELEASE_NOTES_ANALYSIS', errorType: 'BedrockCostThresholdError', reason: 'budget | exhausted' },
  ],
  rollbacks: [],
  decision: {
    verdict: 'NO_GO',
    severityScore: 8,
    confidence: 0.95,
    basis: 'rules+ai',
    aiVerdict: 'GO',
    reasons: ['[API001] Ingress shop/web uses v1beta1'],
    blockers: [
      { code: 'API001', message: 'Ingress shop/web uses v1beta1', resource: 'Ingress shop/web' },
      { code: 'EKS005', message: 'vpc-cni too old' },
    ],
    cautions: [],
  },
};

void describe('upgradeHeadline', () => {
  void it('reads "cluster a→b: VERDICT (n blockers)" once decided', () => {
    assert.equal(upgradeHeadline(status), 'prod-east 1.30→1.31: NO_GO (2 blockers)');
    const go = { ...status, decision: { ...status.decision!, verdict: 'GO' as const, severityScore: 2, blockers: [] } };
    assert.equal(upgradeHeadline(go), 'prod-east 1.30→1.31: GO (severity 2/10)');
  });

  void it('shows the phase and progress before the decision', () => {
    const { decision: _d, ...undecided } = status;
    assert.equal(
      upgradeHeadline({ ...undecided, phase: 'analysis', progress: { done: 2, total: 8 } }),
      'prod-east 1.30→1.31: AI analysis (2/8)',
    );
  });
});

void describe('rendering', () => {
  const report: UpgradeReport = {
    status: { ...status, headline: upgradeHeadline(status) },
    analyses: [],
    execution: 'Not executed: analyze mode.',
    apiScan: {
      targetVersion: '1.31',
      objectsScanned: 4,
      errors: [],
      findings: [
        {
          kind: 'Ingress',
          name: 'web',
          namespace: 'shop',
          apiVersion: 'networking.k8s.io/v1beta1',
          removedIn: '1.22',
          replacementAvailableOnCurrent: true,
          removedByTarget: true,
          confidence: 'high',
          source: 'manifest',
          file: 'web.yaml',
          line: 3,
        },
      ],
    },
  };

  void it('writes current details with the headline and the blockers', () => {
    const md = currentDetailsMarkdown(report.status);
    assert.match(md, /^\*\*prod-east 1\.30→1\.31: NO_GO \(2 blockers\)\*\*/);
    assert.match(md, /- `API001` Ingress shop\/web uses v1beta1/);
    assert.match(md, /AI analysis skipped: RELEASE_NOTES_ANALYSIS \(BedrockCostThresholdError\)/);
  });

  void it('renders Markdown with decision, blockers, skipped analyses (pipes escaped) and evidence', () => {
    const md = renderReportMarkdown(report);
    assert.match(md, /^# EKS upgrade report: prod-east 1\.30 → 1\.31/);
    assert.match(md, /\| NO_GO \| 8\/10 \| 0\.95 \| rules\+ai \| GO \|/);
    assert.match(md, /### Blockers \(force NO_GO\)\n\n- `API001` Ingress shop\/web: Ingress shop\/web uses v1beta1/);
    assert.match(md, /budget \\\| exhausted/);
    assert.match(
      md,
      /\| Ingress shop\/web \| networking\.k8s\.io\/v1beta1 \| 1\.22 \| — \| web\.yaml:3 \| high \| yes \|/,
    );
    assert.match(md, /## Execution\n\nNot executed: analyze mode\./);
    assert.equal(
      md.match(/Ingress shop\/web uses v1beta1/g)?.length,
      1,
      'a blocker is listed once, not again as a reason',
    );
    assert.doesNotMatch(md, /### Reasons/, 'no reason beyond the blockers');
    const explained = {
      ...report,
      status: {
        ...status,
        decision: { ...status.decision!, reasons: [...status.decision!.reasons, 'Model: the change window is short'] },
      },
    };
    assert.match(renderReportMarkdown(explained), /### Reasons\n\n- Model: the change window is short\n/);
  });

  void it('renders JSON that parses back to the same report', () => {
    const parsed = JSON.parse(renderReportJson(report)) as Record<string, unknown>;
    assert.equal(parsed.schemaVersion, 1);
    assert.deepEqual({ ...parsed, schemaVersion: undefined }, { ...report, schemaVersion: undefined });
  });

  void it('builds the static summary and details the client sets at start', () => {
    assert.equal(
      upgradeStaticSummary({ clusterName: 'prod-east', currentVersion: '1.30', targetVersion: '1.31' }),
      'prod-east 1.30→1.31: EKS upgrade analysis',
    );
    const details = upgradeStaticDetails({
      clusterName: 'prod-east',
      targetVersion: '1.31',
      inventory: { kind: 'snapshot', path: '/s.json' },
      manifestPaths: ['/m'],
    });
    assert.match(details, /Inventory: snapshot `\/s\.json`/);
    assert.match(details, /Manifests: `\/m`/);
  });

  const failure: UpgradeFailure = {
    kind: 'failed',
    phase: 'inventory',
    type: 'InvalidEvidenceInput',
    message: 'Invalid cluster snapshot in /s.json:\n  cluster.version: expected a Kubernetes minor version',
    activity: 'loadClusterInventory',
    chain: [
      { type: 'InvalidEvidenceInput', message: 'Upgrade failed in phase inventory: …' },
      { type: 'ActivityFailure', message: 'Activity task failed', activity: 'loadClusterInventory' },
      {
        type: 'InvalidEvidenceInput',
        message: 'Invalid cluster snapshot in /s.json:\n  cluster.version: expected a Kubernetes minor version',
      },
      { type: 'Error', message: 'ENOENT' },
    ],
  };

  void it('says a failure first: the headline, the current details and the report name the phase and the cause', () => {
    const failed = { ...report.status, phase: 'inventory' as const, failure };
    assert.equal(
      upgradeHeadline(failed),
      'prod-east 1.30→1.31: FAILED in phase inventory (activity loadClusterInventory)',
    );
    const details = currentDetailsMarkdown({ ...failed, headline: upgradeHeadline(failed) });
    assert.match(details, /^\*\*prod-east 1\.30→1\.31: FAILED in phase inventory/);
    assert.match(details, /Cause: `InvalidEvidenceInput` Invalid cluster snapshot in \/s\.json:/);
    assert.match(details, /- under it: ENOENT/);
    const md = renderReportMarkdown({ ...report, status: failed });
    assert.match(md, /## Failure\n\n\*\*FAILED in phase inventory \(activity loadClusterInventory\)\*\*/);
    assert.match(renderFailureReportMarkdown('upgrade-x', failure), /^# EKS upgrade report: upgrade-x\n\n\*\*FAILED/);
  });

  void it('records an override of the blockers in the current details and the report', () => {
    const override = {
      by: 'alice',
      reason: 'migrated in the window',
      blockers: ['API001', 'EKS005'],
      at: '2026-01-15T10:00:00Z',
    };
    const overridden = { ...report.status, approval: 'approved' as const, override };
    assert.match(
      currentDetailsMarkdown(overridden),
      /NO_GO overridden by alice at .*API001, EKS005: migrated in the window/,
    );
    assert.match(renderReportMarkdown({ ...report, status: overridden }), /- Override: NO_GO overridden by alice/);
  });

  void it('escapes what the Web UI would read as math or markup, not the underscore inside NO_GO', () => {
    assert.equal(markdownText('$0.01 spent + $0.02 reserved'), '\\$0.01 spent + \\$0.02 reserved');
    assert.equal(markdownText('NO_GO *now* `x` <b>'), 'NO_GO \\*now\\* \\`x\\` \\<b\\>');
    assert.match(currentDetailsMarkdown(report.status), /Bedrock cost \\\$0\.0421/);
  });
});
