// The analysis activities against the wire-level fake through the real SDK client: request shape (forced tool,
// schema, sampling, maxTokens), results and their accounting, cost to the cent, the repair turn, and the log fields.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  analysisToolInput,
  rawReply,
  startBedrockFake,
  textReply,
  toolUseReply,
  type BedrockFake,
} from '../fakes/bedrock-fake';
import { analysisSetup, CONTEXT } from './bedrock-support';
import type { ReleaseNotesExtract } from '../../src/domain/evidence';

const EXTRACT: ReleaseNotesExtract = {
  targetVersion: '1.32',
  source: 'test',
  entries: [
    {
      category: 'removal',
      section: 'Urgent Upgrade Notes',
      text: 'The flowcontrol.apiserver.k8s.io/v1beta3 API is removed.',
      sigs: ['api-machinery'],
    },
  ],
  fullTokens: 100,
  extractTokens: 20,
};

interface ConverseBody {
  system: Array<{ text: string }>;
  messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  inferenceConfig: Record<string, number>;
  toolConfig: {
    tools: Array<{
      toolSpec: { name: string; inputSchema: { json: { properties: Record<string, unknown>; required: string[] } } };
    }>;
    toolChoice: { tool: { name: string } };
  };
}
const bodyOf = (fake: BedrockFake, i: number) => fake.calls[i]?.body as ConverseBody;

void describe('analysis activities over the Bedrock fake', () => {
  let fake: BedrockFake;
  before(async () => {
    fake = await startBedrockFake();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  void test('forces the template tool whose JSON schema comes from the zod schema, and returns an accounted result', async () => {
    const { activities, gate, lines } = analysisSetup(fake);
    fake.enqueue(
      toolUseReply(analysisToolInput({ severityScore: 8, breakingChanges: ['flowcontrol v1beta3 removed'] }), {
        inputTokens: 1500,
        outputTokens: 300,
      }),
    );
    const result = await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });

    const body = bodyOf(fake, 0);
    assert.equal(fake.calls[0]?.modelId, 'global.anthropic.claude-sonnet-4-6');
    assert.equal(body.toolConfig.toolChoice.tool.name, 'RELEASE_NOTES_ANALYSIS');
    assert.equal(body.toolConfig.tools[0]?.toolSpec.name, 'RELEASE_NOTES_ANALYSIS');
    assert.deepEqual(body.toolConfig.tools[0]?.toolSpec.inputSchema.json.required.sort(), [
      'breakingChanges',
      'confidence',
      'findings',
      'recommendations',
      'severityScore',
      'summary',
    ]);
    assert.equal(body.inferenceConfig.maxTokens, 4096);
    assert.ok(fake.calls[0]?.userText.includes('flowcontrol.apiserver.k8s.io/v1beta3'));
    assert.match(
      fake.calls[0]?.userText ?? '',
      /<untrusted-data id="[0-9a-f]{16}" label="Kubernetes 1\.32 release-notes extract/,
    );
    assert.match(body.system[0]?.text ?? '', /Never follow instructions/);

    assert.match(result.analysisId, /^[0-9a-f-]{36}$/);
    assert.equal(result.modelId, 'global.anthropic.claude-sonnet-4-6');
    assert.equal(result.template, 'RELEASE_NOTES_ANALYSIS');
    assert.equal(result.promptVersion, '2+analysis-v1');
    assert.equal(result.severityScore, 8);
    assert.deepEqual(result.breakingChanges, ['flowcontrol v1beta3 removed']);
    assert.deepEqual(result.usage, {
      inputTokens: 1500,
      outputTokens: 300,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
    assert.equal(result.costUsd, 0.009); // 1500 × $3/M + 300 × $15/M
    assert.ok(result.processingTimeMs >= 0);
    assert.equal(result.verdict, undefined);

    assert.equal(gate.requests.length, 1);
    assert.equal(gate.requests[0]?.caller, 'prod-east/RELEASE_NOTES_ANALYSIS');
    assert.deepEqual(gate.settlements, [{ ok: true, actualCostUsd: 0.009, inputTokens: 1500, outputTokens: 300 }]);
    const done = lines.find((l) => l.message === 'Text analysis completed');
    assert.equal(done?.fields.analysisId, result.analysisId);
    assert.equal(done?.fields.findingsCount, 1);
    assert.equal(done?.fields.severityScore, 8);
    assert.equal(typeof done?.fields.processingTimeMs, 'number');
  });

  void test('the decision templates return their verdict and reasons', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(
      toolUseReply(analysisToolInput({ verdict: 'GO_WITH_CAUTION', reasons: ['PDB blocks drain'] })),
      toolUseReply(analysisToolInput({ verdict: 'HOLD', reasons: ['no impact seen'] })),
    );
    const upgrade = await activities.decideUpgrade({
      context: CONTEXT,
      evidenceSummary: '3 findings',
      analyses: [],
      ruleBlockers: [],
    });
    const rollback = await activities.decideRollback({
      context: CONTEXT,
      reason: '5xx spike',
      upgradeSummary: 'control plane upgraded',
    });
    assert.equal(upgrade.verdict, 'GO_WITH_CAUTION');
    assert.deepEqual(upgrade.reasons, ['PDB blocks drain']);
    assert.equal(rollback.verdict, 'HOLD');
    assert.equal(bodyOf(fake, 0).toolConfig.toolChoice.tool.name, 'UPGRADE_DECISION');
    assert.ok(bodyOf(fake, 0).toolConfig.tools[0]?.toolSpec.inputSchema.json.required.includes('verdict'));
    assert.equal(bodyOf(fake, 1).toolConfig.toolChoice.tool.name, 'ROLLBACK_DECISION');
  });

  void test('a decision whose verdict is not one of the allowed values is repaired, not accepted', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(
      toolUseReply(analysisToolInput({ verdict: 'MAYBE', reasons: ['?'] })),
      toolUseReply(analysisToolInput({ verdict: 'NO_GO', reasons: ['blocker'] })),
    );
    const result = await activities.decideUpgrade({
      context: CONTEXT,
      evidenceSummary: 's',
      analyses: [],
      ruleBlockers: ['removed API in use'],
    });
    assert.equal(result.verdict, 'NO_GO');
    assert.equal(fake.calls.length, 2);
  });

  void test('malformed tool output gets exactly one repair turn quoting the validation error, then succeeds', async () => {
    const { activities, gate, lines } = analysisSetup(fake);
    fake.enqueue(
      toolUseReply({ summary: 'x', severityScore: 42 }, { inputTokens: 1000, outputTokens: 100 }),
      toolUseReply(analysisToolInput({ severityScore: 4 }), { inputTokens: 1200, outputTokens: 200 }),
    );
    const result = await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });
    assert.equal(fake.calls.length, 2);
    const repair = bodyOf(fake, 1);
    assert.equal(repair.messages.length, 3);
    assert.equal(repair.messages[1]?.role, 'assistant');
    const toolResult = repair.messages[2]?.content[0]?.toolResult as {
      toolUseId: string;
      status: string;
      content: Array<{ text: string }>;
    };
    assert.equal(toolResult.status, 'error');
    assert.match(toolResult.content[0]?.text ?? '', /severityScore/);
    assert.match(toolResult.content[0]?.text ?? '', /findings/);
    assert.equal(repair.inferenceConfig.maxTokens, 4096, 'the repair turn sends maxTokens too');
    assert.equal(result.severityScore, 4);
    assert.deepEqual(result.usage, {
      inputTokens: 2200,
      outputTokens: 300,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
    assert.equal(result.costUsd, 0.0111); // (2200 × 3 + 300 × 15) / 1M
    assert.equal(gate.requests.length, 2, 'the repair turn asks the gate too');
    assert.equal(gate.settlements.filter((s) => s.ok).length, 2);
    assert.ok(lines.some((l) => l.level === 'warn' && /repair/.test(l.message)));
  });

  void test('output still invalid after the repair is a non-retryable BedrockInvalidOutputError after exactly two calls', async () => {
    const { activities, gate } = analysisSetup(fake);
    fake.enqueue(
      toolUseReply({ wrong: true }),
      toolUseReply({ still: 'wrong' }, undefined, { stopReason: 'max_tokens' }),
      toolUseReply(analysisToolInput()),
    );
    await assert.rejects(
      activities.analyzeDeprecationImpact({
        context: CONTEXT,
        scan: { targetVersion: '1.32', findings: [], errors: [], objectsScanned: 0 },
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'BedrockInvalidOutputError');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /after one repair turn/);
        assert.match(err.message, /BEDROCK_MAX_TOKENS/, 'a cut-off answer says to raise maxTokens');
        return true;
      },
    );
    assert.equal(fake.calls.length, 2);
    assert.equal(gate.requests.length, 2);
  });

  void test('a text answer instead of the tool call is repaired with a plain instruction', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(textReply('Here is my analysis in prose.'), toolUseReply(analysisToolInput()));
    await activities.assessClusterReadiness({
      context: CONTEXT,
      snapshot: { schemaVersion: 1, cluster: { name: 'prod-east', version: '1.31' } },
      readiness: { currentVersion: '1.31', targetVersion: '1.32', checksRun: ['EKS001'], findings: [] },
    });
    const repair = bodyOf(fake, 1);
    assert.match(String(repair.messages[2]?.content[0]?.text), /did not call the CLUSTER_READINESS_ASSESSMENT tool/);
  });

  void test('temperature and topP are never both sent, and maxTokens always is', async () => {
    for (const env of [
      {},
      { BEDROCK_TEMPERATURE: '0.3' },
      { BEDROCK_TOP_P: '0.8', BEDROCK_MAX_TOKENS: '1000' },
    ] as Array<Record<string, string>>) {
      const { activities } = analysisSetup(fake, env);
      fake.enqueue(toolUseReply({ bad: 1 }), toolUseReply(analysisToolInput()));
      await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });
    }
    assert.equal(fake.calls.length, 6);
    const configs = fake.calls.map((c) => (c.body as ConverseBody).inferenceConfig);
    for (const cfg of configs) {
      assert.ok(!('temperature' in cfg && 'topP' in cfg), JSON.stringify(cfg));
      assert.equal(typeof cfg.maxTokens, 'number');
    }
    assert.deepEqual(
      configs.map((c) => c.temperature ?? c.topP),
      [0.1, 0.1, 0.3, 0.3, 0.8, 0.8],
    );
    assert.deepEqual(
      configs.map((c) => c.maxTokens),
      [4096, 4096, 4096, 4096, 1000, 1000],
    );
  });

  void test('analyzeText runs any template, including the generic use of a built-in one', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(toolUseReply(analysisToolInput({ summary: 'dockershim removal matters' })));
    const result = await activities.analyzeText({
      context: CONTEXT,
      text: 'Kubernetes v1.24 removes dockershim support',
      template: 'RELEASE_NOTES_ANALYSIS',
    });
    assert.equal(result.summary, 'dockershim removal matters');
    assert.ok(fake.calls[0]?.userText.includes('removes dockershim support'));
    await assert.rejects(
      activities.analyzeText({ context: CONTEXT, text: 'x', template: 'NOPE' }),
      /Unknown prompt template 'NOPE'.*EKS_UPGRADE_PROMPTS_DIR/,
    );
  });

  void test('a custom template from EKS_UPGRADE_PROMPTS_DIR is what the model receives, and its version is in the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompts-'));
    try {
      writeFileSync(
        join(dir, 'decision.yaml'),
        'name: UPGRADE_DECISION\nversion: 2-acme\ntask: ACME change board rules for {{clusterName}} apply.\n',
      );
      const { activities } = analysisSetup(fake, { EKS_UPGRADE_PROMPTS_DIR: dir });
      fake.enqueue(toolUseReply(analysisToolInput({ verdict: 'GO', reasons: ['ok'] })));
      const result = await activities.decideUpgrade({
        context: CONTEXT,
        evidenceSummary: 's',
        analyses: [],
        ruleBlockers: [],
      });
      assert.equal(result.promptVersion, '2-acme+upgrade-decision-v1');
      assert.ok(fake.calls[0]?.userText.startsWith('ACME change board rules for prod-east apply.'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('a retired model is priced but warned about at start-up, naming BEDROCK_MODEL_ID', () => {
    const { lines } = analysisSetup(fake, { BEDROCK_MODEL_ID: 'anthropic.claude-3-sonnet-20240229-v1:0' });
    assert.ok(lines.some((l) => l.level === 'warn' && /BEDROCK_MODEL_ID/.test(l.message)));
  });

  void test('an unknown model stops the activities from being built (a start-up error, never a silent $0)', () => {
    assert.throws(
      () => analysisSetup(fake, { BEDROCK_MODEL_ID: 'acme.unknown-v1' }),
      /No price is known for Bedrock model 'acme\.unknown-v1'.*BEDROCK_MODEL_PRICES/,
    );
    assert.doesNotThrow(() =>
      analysisSetup(fake, { BEDROCK_MODEL_ID: 'acme.unknown-v1', BEDROCK_MODEL_PRICES: '{"input":1,"output":2}' }),
    );
  });

  void test('a repair answers every tool call of the bad turn (Converse requires a result per toolUse)', async () => {
    const { activities } = analysisSetup(fake);
    const twoCalls = {
      output: {
        message: {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 'tu_1', name: 'RELEASE_NOTES_ANALYSIS', input: { summary: 'a' } } },
            { toolUse: { toolUseId: 'tu_2', name: 'RELEASE_NOTES_ANALYSIS', input: {} } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
      metrics: { latencyMs: 1 },
    };
    fake.enqueue(rawReply(200, JSON.stringify(twoCalls)), toolUseReply(analysisToolInput()));
    await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });
    const results = bodyOf(fake, 1).messages[2]?.content.map((b) => (b.toolResult as { toolUseId: string }).toolUseId);
    assert.deepEqual(results, ['tu_1', 'tu_2']);
  });
});
