// The upgrade input contract: what the workflow and the client both refuse, each problem naming its field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpgradeInput } from '../../src/workflows/upgrade-messages';

const valid = { clusterName: 'prod-east', targetVersion: '1.31', inventory: { kind: 'snapshot', path: '/tmp/s.json' } };

function problems(input: unknown): string[] {
  const result = parseUpgradeInput(input);
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

void describe('parseUpgradeInput', () => {
  void it('fills the defaults of a minimal input', () => {
    const result = parseUpgradeInput(valid);
    assert.ok(result.ok);
    assert.deepEqual(
      {
        mode: result.input.mode,
        approval: result.input.approval,
        aiAnalysis: result.input.aiAnalysis,
        releaseNotes: result.input.releaseNotes,
        manifestPaths: result.input.manifestPaths,
      },
      {
        mode: 'analyze',
        approval: 'manual',
        aiAnalysis: true,
        releaseNotes: { kind: 'kubernetes-changelog' },
        manifestPaths: [],
      },
    );
  });

  void it('names the field of each problem', () => {
    assert.match(
      problems({ ...valid, targetVersion: '1.x' })[0] ?? '',
      /^targetVersion: expected a Kubernetes minor version/,
    );
    assert.match(problems({ ...valid, clusterName: '-bad' })[0] ?? '', /^clusterName: /);
    assert.match(problems({ ...valid, inventory: { kind: 'snapshot' } })[0] ?? '', /^inventory\.path: /);
    assert.match(problems({ ...valid, surprise: 1 })[0] ?? '', /surprise/);
  });

  void it('takes execute mode with its options; refuses bad options, a live inventory without region and a target not above the current version', () => {
    assert.deepEqual(problems({ ...valid, mode: 'execute' }), []);
    assert.deepEqual(
      problems({ ...valid, mode: 'execute', execution: { nodegroupConcurrency: 3, autoRollback: true } }),
      [],
    );
    assert.match(problems({ ...valid, mode: 'apply' })[0] ?? '', /^mode: /);
    assert.match(
      problems({ ...valid, execution: { nodegroupConcurrency: 21 } })[0] ?? '',
      /^execution\.nodegroupConcurrency: /,
    );
    assert.match(problems({ ...valid, execution: { pollIntervalMs: 10 } })[0] ?? '', /^execution\.pollIntervalMs: /);
    assert.match(problems({ ...valid, execution: { surprise: true } })[0] ?? '', /surprise/);
    assert.match(problems({ ...valid, inventory: { kind: 'eks' } })[0] ?? '', /^region: /);
    assert.deepEqual(problems({ ...valid, inventory: { kind: 'eks' }, region: 'us-east-1' }), []);
    assert.match(
      problems({ ...valid, currentVersion: '1.31' })[0] ?? '',
      /^targetVersion: expected a version newer than currentVersion 1\.31/,
    );
  });
});
