// No planted secret reaches Bedrock: every analysis activity is fed evidence full of secrets of every kind, a
// repair turn is forced so the second request is checked too, and every recorded request body (and every log
// line) is searched for every secret value, raw and JSON-escaped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisToolInput, startBedrockFake, toolUseReply, type BedrockFake } from '../fakes/bedrock-fake';
import { analysisSetup, CONTEXT } from './bedrock-support';
import { PLANTS } from '../fixtures/planted-secrets';
import type { AnalysisResult } from '../../src/domain/analysis';

const SECRETS = PLANTS.flatMap((p) => p.secrets);
const ALL_TEXT = PLANTS.map((p) => p.text).join('\n---\n');

let fake: BedrockFake;
before(async () => {
  fake = await startBedrockFake();
  // The first answer of every template is invalid, so each one also sends a repair turn.
  const seen = new Set<string>();
  fake.setHandler((call) => {
    const first = !seen.has(call.toolName ?? '');
    seen.add(call.toolName ?? '');
    return toolUseReply(
      first
        ? { summary: 'incomplete' }
        : analysisToolInput({ verdict: call.toolName === 'ROLLBACK_DECISION' ? 'HOLD' : 'NO_GO', reasons: ['r'] }),
    );
  });
});
after(() => fake.close());

void test('no request body sent to Bedrock, first call or repair, contains any planted secret', async () => {
  const { activities, lines } = analysisSetup(fake);
  const prior: AnalysisResult[] = [];
  prior.push(
    await activities.analyzeReleaseNotes({
      context: CONTEXT,
      extract: {
        targetVersion: '1.32',
        source: 'planted',
        fullTokens: 1,
        extractTokens: 1,
        entries: PLANTS.map((p) => ({
          category: 'action-required' as const,
          section: 'Urgent Upgrade Notes',
          text: p.text,
          sigs: [],
        })),
      },
    }),
  );
  prior.push(
    await activities.analyzeDeprecationImpact({
      context: CONTEXT,
      scan: {
        targetVersion: '1.32',
        objectsScanned: PLANTS.length,
        findings: PLANTS.map((p, i) => ({
          kind: 'Secret',
          name: `s${i}`,
          file: 'manifests/all.yaml',
          location: p.text,
          apiVersion: 'v1',
          removedIn: '1.32',
          replacementAvailableOnCurrent: true,
          removedByTarget: false,
          confidence: 'high' as const,
          source: 'manifest' as const,
        })),
        errors: [{ file: 'bad.yaml', message: ALL_TEXT }],
      },
    }),
  );
  prior.push(
    await activities.assessClusterReadiness({
      context: CONTEXT,
      // Extra fields a snapshot schema would strip: planted anyway, to prove the prompt is redacted whatever arrives.
      snapshot: Object.assign(
        { schemaVersion: 1 as const, cluster: { name: 'prod-east', version: '1.31' } },
        {
          manifests: PLANTS.map((p) => p.text),
          kubeconfig: PLANTS.find((p) => p.kind === 'kubeconfig-credential')?.text,
        },
      ),
      readiness: {
        currentVersion: '1.31',
        targetVersion: '1.32',
        checksRun: ['EKS001'],
        findings: PLANTS.map((p, i) => ({
          code: `EKS${i}`,
          level: 'required' as const,
          title: 'planted',
          message: p.text,
        })),
      },
    }),
  );
  await activities.decideUpgrade({
    context: CONTEXT,
    evidenceSummary: ALL_TEXT,
    analyses: prior,
    ruleBlockers: PLANTS.map((p) => p.text),
  });
  await activities.decideRollback({ context: CONTEXT, reason: ALL_TEXT, evidence: ALL_TEXT, upgradeSummary: ALL_TEXT });
  await activities.analyzeText({ context: CONTEXT, text: ALL_TEXT, template: 'RELEASE_NOTES_ANALYSIS' });

  assert.equal(
    fake.calls.length,
    11,
    'five templates with a repair each, then analyzeText (its template already answered)',
  );
  for (const call of fake.calls) {
    for (const secret of SECRETS) {
      assert.ok(!call.rawBody.includes(secret), `request ${call.index} (${call.toolName}) contains ${secret}`);
      assert.ok(
        !call.rawBody.includes(JSON.stringify(secret).slice(1, -1)),
        `request ${call.index} contains escaped ${secret}`,
      );
    }
    assert.match(call.rawBody, /\[REDACTED:/);
  }
  // Redaction is surgical: the evidence around the secrets still reaches the model.
  for (const kept of [
    'visible-configmap-value',
    'The pipeline used',
    'was rotated',
    'Urgent Upgrade Notes',
    'export REGION=us-east-1',
  ]) {
    assert.ok(fake.calls[0]?.rawBody.includes(kept), `lost ordinary text: ${kept}`);
  }
  const logged = JSON.stringify(lines);
  for (const secret of SECRETS) assert.ok(!logged.includes(secret), `a log line contains ${secret}`);
  assert.ok(
    lines.some((l) => l.message === 'Secrets redacted before the prompt' && typeof l.fields.redactions === 'object'),
  );
});
