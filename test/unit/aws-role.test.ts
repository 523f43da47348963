// Role ARNs and STS session names: what STS accepts, and names that stay unique after truncation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLE_ARN, ROLE_SESSION_NAME, roleSessionName } from '../../src/domain/aws-role';
import { parseUpgradeInput } from '../../src/workflows/upgrade-messages';

void test('role ARNs: IAM roles in any partition, with paths; nothing else', () => {
  for (const ok of [
    'arn:aws:iam::123456789012:role/eks-upgrade',
    'arn:aws-us-gov:iam::123456789012:role/platform/eks-upgrade@reader',
    'arn:aws-cn:iam::123456789012:role/a.b_c+d=e,f-g',
  ])
    assert.match(ok, ROLE_ARN);
  for (const bad of [
    'arn:aws:iam::1234:role/x',
    'arn:aws:iam::123456789012:user/x',
    'arn:aws:sts::123456789012:assumed-role/x/y',
    'eks-upgrade',
  ])
    assert.doesNotMatch(bad, ROLE_ARN);
});

void test('session names: joined parts, refused characters replaced, long ones cut with a hash of the whole', () => {
  assert.equal(roleSessionName(['prod-fleet', 'shop-east-1.31']), 'prod-fleet.shop-east-1.31');
  assert.equal(roleSessionName(['eks-upgrade', 'upgrade-a b/c-1.31']), 'eks-upgrade.upgrade-a-b-c-1.31');
  assert.equal(roleSessionName(['x']), 'x-');
  const long = (suffix: string) =>
    roleSessionName(['a-campaign-with-a-rather-long-name', `cluster-${'x'.repeat(40)}${suffix}`]);
  assert.equal(long('1').length, 64);
  assert.notEqual(long('1'), long('2'), 'two names that differ only past the cut stay apart');
  for (const name of [long('1'), roleSessionName(['é', 'ü'])]) assert.match(name, ROLE_SESSION_NAME);
});

void test('the upgrade input takes a role for a live cluster only, and not in execute mode', () => {
  const live = {
    clusterName: 'acct-b',
    region: 'eu-west-1',
    targetVersion: '1.31',
    inventory: { kind: 'eks' },
    roleArn: 'arn:aws:iam::210987654321:role/eks-upgrade-reader',
  };
  assert.ok(parseUpgradeInput(live).ok);
  const onSnapshot = parseUpgradeInput({ ...live, inventory: { kind: 'snapshot', path: 's.json' } });
  assert.ok(!onSnapshot.ok);
  assert.match(
    onSnapshot.problems.map((p) => `${p.field}: ${p.message}`).join('\n'),
    /roleArn: .*a snapshot needs none/,
  );
  const execute = parseUpgradeInput({ ...live, mode: 'execute' });
  assert.ok(!execute.ok);
  assert.match(
    execute.problems.map((p) => `${p.field}: ${p.message}`).join('\n'),
    /roleArn: .*worker's own credentials/,
  );
  const badSession = parseUpgradeInput({ ...live, roleSessionName: 'has spaces' });
  assert.ok(!badSession.ok);
  assert.equal(badSession.problems[0]?.field, 'roleSessionName');
});
