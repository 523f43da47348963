// An extract too large for one prompt is split and the partial analyses merged: every entry reaches the model
// (nothing truncated), each chunk is its own guarded call, and the merged result is as cautious as its worst part.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analysisToolInput, startBedrockFake, toolUseReply, type BedrockFake } from '../fakes/bedrock-fake';
import { analysisSetup, CONTEXT } from './bedrock-support';
import { extractReleaseNotes } from '../../src/domain/release-notes';
import { referencePath } from '../harness/reference-data';

void describe('release-notes analysis of an extract larger than one prompt', () => {
  let fake: BedrockFake;
  before(async () => {
    fake = await startBedrockFake();
  });
  after(() => fake.close());

  void test('is split into chunks, every entry is sent, and the partial analyses are merged', async () => {
    const text = readFileSync(referencePath('data/k8s-changelog/full/release-notes-draft-1.31.md'), 'utf8');
    const extract = extractReleaseNotes(text, { targetVersion: '1.31', source: 'release-notes-draft-1.31.md' });
    assert.ok(extract.extractTokens > 1_000, `the 1.31 extract has ${extract.extractTokens} tokens`);
    const { activities, gate } = analysisSetup(fake, {}, { releaseNotesChunkTokens: 1_000 });

    const replies = [
      analysisToolInput({
        severityScore: 3,
        confidence: 0.9,
        breakingChanges: ['A'],
        recommendations: ['Read the notes'],
      }),
      analysisToolInput({
        severityScore: 7,
        confidence: 0.6,
        breakingChanges: ['B', 'A'],
        recommendations: ['read the notes'],
      }),
      analysisToolInput({ severityScore: 2, confidence: 0.8, breakingChanges: ['C'] }),
    ];
    let call = 0;
    fake.setHandler(() =>
      toolUseReply(replies[Math.min(call++, replies.length - 1)] ?? {}, { inputTokens: 1_000, outputTokens: 100 }),
    );
    const result = await activities.analyzeReleaseNotes({ context: CONTEXT, extract });

    const chunks = fake.calls.length;
    assert.ok(chunks >= 3, `${chunks} chunks for a ${extract.extractTokens}-token extract at 1,000 tokens each`);
    assert.equal(gate.requests.length, chunks, 'every chunk asked the guard for its own permit');
    const sent = fake.calls.map((c) => c.userText).join('\n');
    for (const entry of extract.entries) {
      const probe = entry.text.slice(0, 40);
      assert.ok(sent.includes(probe), `entry "${probe}…" reached the model`);
    }
    assert.match(fake.calls[0]?.userText ?? '', new RegExp(`chunk 1 of ${chunks}`));
    assert.equal(result.severityScore, 7, 'the highest severity of the parts');
    assert.ok(result.confidence <= 0.6, 'the lowest confidence of the parts');
    assert.deepEqual(result.breakingChanges.slice(0, 3), ['A', 'B', 'C'], 'united, duplicates removed');
    assert.equal(result.recommendations.filter((r) => r.toLowerCase() === 'read the notes').length, 1);
    assert.equal(result.usage.inputTokens, 1_000 * chunks);
    assert.match(result.summary, new RegExp(`^Merged from ${chunks} partial analyses`));
  });
});
