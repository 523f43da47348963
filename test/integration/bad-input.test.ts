// Bad input, table-driven, against the shared dev server (so a command that got past validation really could start
// something): each case's exit code, a message that names what is wrong and how to fix it, nothing on stdout for
// refusals, and nothing started — no upgrade workflow with this run's cluster prefix, no guard with this run's id,
// no worker polling this run's task queue. Cases run through the CLI's own program and error mapping in this
// process (a Node process per case costs seconds of CPU on a shared machine); those marked `binary` — the worker's
// environment, stdin, and one of each command — run the real `eks-upgrade` binary, exit code and all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { createContext, type CommandContext } from '../../src/client/context';
import { buildProgram, reportError } from '../../src/client/program';
import { REPO_ROOT, runCli, show, type CliResult } from './cli-support';

const PREFIX = `bi${process.pid}x${Date.now().toString(36)}`;
const CLUSTER = `${PREFIX}-prod`;
const TASK_QUEUE = uniqueTaskQueue('bad-input');
const GUARD_ID = `bad-input-guard-${PREFIX}`;

let env: TestWorkflowEnvironment;
let dir: string;
let cliEnv: NodeJS.ProcessEnv;
const path = (name: string) => join(dir, name);

interface Case {
  name: string;
  args: () => string[];
  env?: NodeJS.ProcessEnv;
  code: number;
  /** What the message must say: what is wrong, and (where there is one) the fix. */
  stderr: RegExp;
  /** For refusals stdout stays empty; a scan still prints its report. */
  stdout?: RegExp;
  stdin?: string;
  /** Run the real binary in a child process rather than the program in this process. */
  binary?: boolean;
}

function snapshot(name: string, version: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schemaVersion: 1, cluster: { name, version }, ...extra });
}

before(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  writeFileSync(path('not-json.json'), 'this is { not json');
  writeFileSync(path('wrong-schema.json'), JSON.stringify({ schemaVersion: 1, cluster: { name: CLUSTER } }));
  writeFileSync(path('empty.json'), '');
  mkdirSync(path('snapshot-dir'));
  // 470 KB of bytes: the message must quote a few hundred characters at most.
  writeFileSync(path('binary.bin'), Buffer.from(Array.from({ length: 470_000 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(
    path('schema2.json'),
    JSON.stringify({ schemaVersion: 2, cluster: { name: CLUSTER, version: '1.31' } }),
  );
  writeFileSync(path('other-cluster.json'), snapshot('someone-else', '1.31'));
  writeFileSync(path('good-1.31.json'), snapshot(CLUSTER, '1.31'));
  writeFileSync(path('empty.yaml'), '');
  mkdirSync(path('empty-dir'));
  writeFileSync(path('scalar.yaml'), 'just some notes, not a manifest\n');
  writeFileSync(path('list.yaml'), '- a\n- b\n');
  writeFileSync(path('values.yaml'), 'replicaCount: 2\nimage:\n  tag: latest\n');
  writeFileSync(
    path('two.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
  );
  // An unrendered chart beside a valid manifest: one error per template file, its literal removed API reported.
  mkdirSync(path('chart/templates'), { recursive: true });
  writeFileSync(path('chart/Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
  writeFileSync(path('chart/values.yaml'), 'psp: true\n');
  writeFileSync(
    path('chart/templates/psp.yaml'),
    '{{- if .Values.psp }}\napiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: {{ .Release.Name }}\n{{- end }}\n',
  );
  writeFileSync(
    path('chart/templates/svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n{{ include "demo.labels" . | indent 4 }}\n',
  );
  mkdirSync(path('chart-current/templates'), { recursive: true });
  writeFileSync(
    path('chart-current/templates/svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n{{ include "demo.labels" . | indent 4 }}\n',
  );
  cliEnv = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    EKS_UPGRADE_TASK_QUEUE: TASK_QUEUE,
    BEDROCK_GUARD_WORKFLOW_ID: GUARD_ID,
  };
});

after(async () => {
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start = (...rest: string[]) => ['start', '--cluster', CLUSTER, ...rest];
const withSnapshot = (file: string, target = '1.32', ...rest: string[]) =>
  start('--target', target, '--snapshot', path(file), ...rest);
const ref = ['--cluster', CLUSTER, '--target', '1.32'];
const sample = join(REPO_ROOT, 'examples', 'sample-cluster', 'manifests');

const cases: Case[] = [
  // start: the snapshot, read here before anything is started
  {
    name: 'start: snapshot not JSON',
    binary: true,
    args: () => withSnapshot('not-json.json'),
    code: 2,
    stderr: /--snapshot: .*not-json\.json is not valid JSON.*docs\/snapshot\.md/,
  },
  {
    name: 'start: snapshot with the wrong schema',
    args: () => withSnapshot('wrong-schema.json'),
    code: 2,
    stderr: /wrong-schema\.json:\n\s+cluster\.version: .*\(field cluster\.version\)/s,
  },
  {
    name: 'start: empty snapshot',
    args: () => withSnapshot('empty.json'),
    code: 2,
    stderr: /empty\.json is empty.*eks-upgrade snapshot --cluster/,
  },
  {
    name: 'start: snapshot is a directory',
    args: () => withSnapshot('snapshot-dir'),
    code: 2,
    stderr: /snapshot-dir is a directory: give the snapshot JSON file itself/,
  },
  {
    name: 'start: binary snapshot',
    args: () => withSnapshot('binary.bin'),
    code: 2,
    stderr: /binary\.bin is binary data, not JSON/,
  },
  {
    name: 'start: unknown schemaVersion',
    args: () => withSnapshot('schema2.json'),
    code: 2,
    stderr: /schemaVersion 2 is not one this eks-upgrade reads \(1\).*Write it again/,
  },
  {
    name: 'start: snapshot of another cluster',
    args: () => withSnapshot('other-cluster.json'),
    code: 2,
    stderr:
      /describes cluster 'someone-else' \(cluster\.name\), not '.*-prod': pass the matching snapshot, or --cluster someone-else/,
  },
  {
    name: 'start: missing snapshot',
    args: () => withSnapshot('nowhere.json'),
    code: 2,
    stderr: /--snapshot: .*nowhere\.json does not exist.*--remote-paths/,
  },
  {
    name: 'start: snapshot over EKS_UPGRADE_MAX_SNAPSHOT_BYTES',
    args: () => withSnapshot('good-1.31.json'),
    env: { EKS_UPGRADE_MAX_SNAPSHOT_BYTES: '10' },
    code: 2,
    stderr: /over the limit of 10 \(EKS_UPGRADE_MAX_SNAPSHOT_BYTES=10\): raise EKS_UPGRADE_MAX_SNAPSHOT_BYTES/,
  },
  {
    name: 'start: bad EKS_UPGRADE_MAX_SNAPSHOT_BYTES',
    args: () => withSnapshot('good-1.31.json'),
    env: { EKS_UPGRADE_MAX_SNAPSHOT_BYTES: 'huge' },
    code: 2,
    stderr: /EKS_UPGRADE_MAX_SNAPSHOT_BYTES='huge': expected an integer/,
  },
  // start: impossible targets (UPG001)
  {
    name: 'start: downgrade',
    args: () => withSnapshot('good-1.31.json', '1.30'),
    code: 2,
    stderr: /--target 1\.30 .*from 1\.31 \(the snapshot\): UPG001 Target 1\.30 is not newer.*Choose 1\.32/,
  },
  {
    name: 'start: same minor',
    args: () => withSnapshot('good-1.31.json', '1.31'),
    code: 2,
    stderr: /UPG001 Target 1\.31 is not newer than the cluster's 1\.31/,
  },
  // A target two or more minors ahead is a path of one-minor hops (campaign-cli.test.ts), not a refusal.
  {
    name: 'start: 1.99 from a snapshot',
    args: () => withSnapshot('good-1.31.json', '1.99'),
    code: 2,
    stderr: /--target 1\.99 is not a Kubernetes release/,
  },
  {
    name: 'start: 1.99 with --live',
    args: () => start('--target', '1.99', '--live', '--region', 'us-east-1'),
    code: 2,
    stderr: /--target 1\.99 is not a Kubernetes release.*pass --current/,
  },
  {
    name: 'start: --current newer than --target',
    args: () => start('--target', '1.31', '--current', '1.32', '--snapshot', '/srv/snap.json', '--remote-paths'),
    code: 2,
    stderr: /from 1\.32 \(--current\): UPG001 Target 1\.31 is not newer/,
  },
  {
    name: 'start: a patch version as --target',
    args: () => withSnapshot('good-1.31.json', '1.32.1'),
    code: 2,
    stderr: /invalid --target '1\.32\.1': EKS upgrades to a minor version, so give 1\.32/,
  },
  {
    name: 'start: v-prefixed --current',
    args: () => withSnapshot('good-1.31.json', '1.32', '--current', 'v1.31'),
    code: 2,
    stderr: /invalid --current 'v1\.31'.*give 1\.31/,
  },
  // start: other flags
  {
    name: 'start: no --cluster',
    args: () => ['start', '--target', '1.32', '--snapshot', path('good-1.31.json')],
    code: 2,
    stderr: /required: the EKS cluster name, e\.g\. --cluster prod-east/,
  },
  {
    name: 'start: no inventory',
    args: () => start('--target', '1.32'),
    code: 2,
    stderr: /--snapshot FILE .* or --live/,
  },
  {
    name: 'start: --snapshot and --live',
    args: () => withSnapshot('good-1.31.json', '1.32', '--live'),
    code: 2,
    stderr: /either --snapshot FILE .* or --live/,
  },
  {
    name: 'start: bad --region',
    args: () => start('--target', '1.32', '--live', '--region', 'mars-1'),
    code: 2,
    stderr: /--region 'mars-1': expected an AWS region such as us-east-1/,
  },
  {
    name: 'start: bad --soak',
    args: () => withSnapshot('good-1.31.json', '1.32', '--soak', 'soon'),
    code: 2,
    stderr: /--soak: 'soon' is not a duration; use e\.g\. 90s/,
  },
  {
    name: 'start: an unknown --mode',
    args: () => withSnapshot('good-1.31.json', '1.32', '--mode', 'apply'),
    code: 2,
    stderr: /--mode 'apply': .*"analyze"\|"execute"/,
  },
  {
    name: 'start: an execute-mode option in analyze mode',
    args: () => withSnapshot('good-1.31.json', '1.32', '--pause-between-stages'),
    code: 2,
    stderr: /--pause-between-stages applies to --mode execute/,
  },
  {
    name: 'start: missing manifests',
    args: () => withSnapshot('good-1.31.json', '1.32', '--manifests', path('nothing-here')),
    code: 2,
    stderr: /--manifests: .*nothing-here does not exist/,
  },
  // scan: a CI gate never passes on nothing
  {
    name: 'scan: empty file',
    binary: true,
    args: () => ['scan', '--manifests', path('empty.yaml')],
    code: 1,
    stderr: /empty\.yaml: no Kubernetes object: the file is empty.*--allow-unreadable/s,
    stdout: /0 objects.*1 unreadable/,
  },
  {
    name: 'scan: empty directory',
    args: () => ['scan', '--manifests', path('empty-dir')],
    code: 1,
    stderr: /empty-dir: no Kubernetes object: the directory holds no \.yaml, \.yml or \.json file/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: empty stdin',
    binary: true,
    args: () => ['scan', '--manifests', '-'],
    stdin: '',
    code: 1,
    stderr: /could not read -: no Kubernetes object: the file is empty/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: plain text',
    args: () => ['scan', '--manifests', path('scalar.yaml')],
    code: 1,
    stderr: /scalar\.yaml: no Kubernetes object: it is plain text/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: a top-level list',
    args: () => ['scan', '--manifests', path('list.yaml')],
    code: 1,
    stderr: /list\.yaml: no Kubernetes object: it is a top-level list; wrap Kubernetes objects in a `kind: List`/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: Helm values',
    args: () => ['scan', '--manifests', path('values.yaml')],
    code: 1,
    stderr: /values\.yaml: no Kubernetes object: it is YAML without apiVersion and kind/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: a snapshot passed as a manifest',
    args: () => ['scan', '--manifests', path('good-1.31.json')],
    code: 1,
    stderr: /good-1\.31\.json: no Kubernetes object: it is a cluster snapshot .*eks-upgrade start --snapshot/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: a non-JSON .json',
    args: () => ['scan', '--manifests', path('not-json.json')],
    code: 1,
    stderr: /not-json\.json line 1: not valid JSON: Unexpected token/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: binary input',
    args: () => ['scan', '--manifests', path('binary.bin')],
    code: 1,
    stderr: /binary\.bin: binary data, not YAML or JSON text \(starts with "\\u0000/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: unreadable beside a readable manifest',
    args: () => ['scan', '--manifests', sample, path('scalar.yaml'), '--target', '1.31'],
    code: 1,
    stderr: /scalar\.yaml.*plain text/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: --allow-unreadable accepts the rest',
    args: () => ['scan', '--manifests', sample, path('scalar.yaml'), '--target', '1.31', '--allow-unreadable'],
    code: 0,
    stderr: /warning: could not read .*scalar\.yaml/,
    stdout: /1 unreadable/,
  },
  {
    name: 'scan: unrendered chart with a literal removed API',
    binary: true,
    args: () => ['scan', '--manifests', sample, path('chart'), '--target', '1.31'],
    code: 3,
    stderr:
      /psp\.yaml line 1: unrendered Helm template \(1 of 1 .*--kube-version 1\.31[^\n]*\n.*svc\.yaml line \d: unrendered Helm template/s,
    stdout: /2 unreadable\..*REMOVED +extensions\/v1beta1 PodSecurityPolicy .*psp\.yaml:2 \(unrendered Helm template/s,
  },
  {
    name: 'scan: unrendered chart without removals',
    args: () => ['scan', '--manifests', path('chart-current'), '--target', '1.31'],
    code: 1,
    stderr: /svc\.yaml line 4: unrendered Helm template.*helm template RELEASE CHART --kube-version 1\.31/,
    stdout: /1 objects, 0 removed, 0 deprecated, 1 unreadable/,
  },
  {
    name: 'scan: a patch version as --target',
    args: () => ['scan', '--manifests', sample, '--target', '1.32.1'],
    code: 2,
    stderr: /invalid --target '1\.32\.1': EKS upgrades to a minor version, so give 1\.32/,
  },
  {
    name: 'scan: --current newer than --target',
    args: () => ['scan', '--manifests', sample, '--target', '1.30', '--current', '1.32'],
    code: 2,
    stderr: /--current 1\.32 is newer than --target 1\.30/,
  },
  {
    name: 'scan: a missing path',
    args: () => ['scan', '--manifests', path('nowhere.yaml')],
    code: 2,
    stderr: /nowhere\.yaml: no such file or directory; check the path/,
  },
  {
    name: 'scan: more objects than EKS_UPGRADE_MAX_MANIFEST_OBJECTS',
    args: () => ['scan', '--manifests', path('two.yaml')],
    env: { EKS_UPGRADE_MAX_MANIFEST_OBJECTS: '1' },
    code: 2,
    stderr:
      /exceed the limit of 1 objects \(EKS_UPGRADE_MAX_MANIFEST_OBJECTS=1\): scan fewer paths, or raise EKS_UPGRADE_MAX_MANIFEST_OBJECTS/,
  },
  {
    name: 'scan: more bytes than EKS_UPGRADE_MAX_MANIFEST_BYTES',
    args: () => ['scan', '--manifests', path('two.yaml')],
    env: { EKS_UPGRADE_MAX_MANIFEST_BYTES: '20' },
    code: 2,
    stderr: /limit of 20 bytes \(EKS_UPGRADE_MAX_MANIFEST_BYTES=20\)/,
  },
  {
    name: 'scan: more files than EKS_UPGRADE_MAX_MANIFEST_FILES',
    args: () => ['scan', '--manifests', path('chart')],
    env: { EKS_UPGRADE_MAX_MANIFEST_FILES: '2' },
    code: 2,
    stderr: /limit of 2 files \(EKS_UPGRADE_MAX_MANIFEST_FILES=2\)/,
  },
  {
    name: 'scan: a bad limit variable',
    args: () => ['scan', '--manifests', sample],
    env: { EKS_UPGRADE_MAX_MANIFEST_FILES: 'many' },
    code: 2,
    stderr: /EKS_UPGRADE_MAX_MANIFEST_FILES='many': expected an integer/,
  },
  // status, approve, list, cost
  { name: 'status without --target', args: () => ['status', '--cluster', CLUSTER], code: 2, stderr: /--target/ },
  {
    name: 'status with both --workflow-id and --cluster',
    args: () => ['status', '--workflow-id', 'w', '--cluster', CLUSTER],
    code: 2,
    stderr: /--workflow-id/,
  },
  {
    name: 'status of an upgrade that does not exist',
    binary: true,
    args: () => ['status', ...ref],
    code: 1,
    stderr: /no upgrade with workflow id upgrade-.*-prod-1\.32 in this namespace \(list them with `eks-upgrade list`\)/,
  },
  {
    name: 'status with an unknown --format',
    args: () => ['status', ...ref, '--format', 'xml'],
    code: 2,
    stderr: /--format.*xml/,
  },
  { name: 'approve without a target', args: () => ['approve', '--cluster', CLUSTER], code: 2, stderr: /--target/ },
  {
    name: 'approve an upgrade that does not exist',
    binary: true,
    args: () => ['approve', ...ref],
    code: 1,
    stderr: /no upgrade with workflow id upgrade-.*-prod-1\.32/,
  },
  {
    name: 'approve with a format it does not print',
    args: () => ['approve', ...ref, '--format', 'md'],
    code: 2,
    stderr: /--format.*md/,
  },
  {
    name: 'list with an unknown phase',
    binary: true,
    args: () => ['list', '--phase', 'waiting'],
    code: 2,
    stderr: /--phase: 'waiting' is not a phase; use one of inventory, evidence/,
  },
  {
    name: 'list with a zero limit',
    args: () => ['list', '--limit', '0'],
    code: 2,
    stderr: /--limit: '0' is not a count from 1 to 10000/,
  },
  { name: 'cost with a zero rate', binary: true, args: () => ['cost', '--set-rpm', '0'], code: 2, stderr: /--set-rpm/ },
  {
    name: 'cost with a non-number budget',
    args: () => ['cost', '--set-daily-limit', 'lots'],
    code: 2,
    stderr: /--set-daily-limit: 'lots' is not/,
  },
  {
    name: 'cost with a window over an hour',
    args: () => ['cost', '--set-window', '2h'],
    code: 2,
    stderr: /--set-window: '2h' must be between 100ms and 1h/,
  },
  { name: 'cost with a negative token rate', args: () => ['cost', '--set-tpm', '-5'], code: 2, stderr: /--set-tpm/ },
  // the worker's environment: refused before it connects or polls
  {
    binary: true,
    name: 'worker: BEDROCK_MAX_TOKENS not a number',
    args: () => ['worker'],
    env: { BEDROCK_MAX_TOKENS: 'lots' },
    code: 2,
    stderr: /BEDROCK_MAX_TOKENS='lots': expected an integer from 1 to 200000.*Fix the variable/s,
  },
  {
    binary: true,
    name: 'worker: BEDROCK_TEMPERATURE out of range',
    args: () => ['worker'],
    env: { BEDROCK_TEMPERATURE: '2' },
    code: 2,
    stderr: /BEDROCK_TEMPERATURE='2': expected a number from 0 to 1/,
  },
  {
    binary: true,
    name: 'worker: temperature and top-p together',
    args: () => ['worker'],
    env: { BEDROCK_TEMPERATURE: '0.2', BEDROCK_TOP_P: '0.9' },
    code: 2,
    stderr: /set BEDROCK_TEMPERATURE or BEDROCK_TOP_P, not both/,
  },
  {
    binary: true,
    name: 'worker: an unpriced model',
    args: () => ['worker'],
    env: { BEDROCK_MODEL_ID: 'acme.unknown-model-v1' },
    code: 2,
    stderr: /acme\.unknown-model-v1.*BEDROCK_MODEL_PRICES/,
  },
  {
    binary: true,
    name: 'worker: zero EKS_UPGRADE_MAX_MANIFEST_OBJECTS',
    args: () => ['worker'],
    env: { EKS_UPGRADE_MAX_MANIFEST_OBJECTS: '0' },
    code: 2,
    stderr: /EKS_UPGRADE_MAX_MANIFEST_OBJECTS='0': expected an integer from 1 to/,
  },
  {
    binary: true,
    name: 'worker: EKS_UPGRADE_MAX_MANIFEST_BYTES not a number',
    args: () => ['worker'],
    env: { EKS_UPGRADE_MAX_MANIFEST_BYTES: '1GB' },
    code: 2,
    stderr: /EKS_UPGRADE_MAX_MANIFEST_BYTES='1GB': expected an integer/,
  },
  {
    binary: true,
    name: 'worker: a bad shutdown grace',
    args: () => ['worker'],
    env: { EKS_UPGRADE_SHUTDOWN_GRACE_MS: 'soon' },
    code: 2,
    stderr: /EKS_UPGRADE_SHUTDOWN_GRACE_MS='soon': expected milliseconds/,
  },
  {
    binary: true,
    name: 'worker: a bad task queue name',
    args: () => ['worker'],
    env: { EKS_UPGRADE_TASK_QUEUE: 'bad queue!' },
    code: 2,
    stderr: /EKS_UPGRADE_TASK_QUEUE='bad queue!': expected a task queue name/,
  },
  {
    binary: true,
    name: 'worker: an unknown log level',
    args: () => ['worker'],
    env: { LOG_LEVEL: 'loud' },
    code: 2,
    stderr: /LOG_LEVEL='loud': expected one of trace, debug/,
  },
];

/** What src/client/program.ts runCli does, with the output captured instead of printed. */
async function runInProcess(args: string[], caseEnv: NodeJS.ProcessEnv): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const ctx = createContext(
    { ...process.env, LOG_LEVEL: 'warn', ...cliEnv, ...caseEnv },
    { result: (t) => void (stdout += line(t)), info: (t) => void (stderr += line(t)) },
  );
  let pending: Promise<number> | undefined;
  const program = buildProgram((spec, flags) => {
    pending = (async () => {
      if (!spec.run) throw new Error(`command '${spec.name}' has no implementation`);
      const action = (await spec.run()) as (flags: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
      return action(flags, ctx);
    })();
    return pending.then(() => undefined);
  });
  for (const command of [program, ...program.commands])
    command.configureOutput({ writeOut: (t) => void (stdout += t), writeErr: (t) => void (stderr += t) });
  let code: number;
  try {
    await program.parseAsync(['node', 'eks-upgrade', ...args]);
    code = pending ? await pending : 0;
  } catch (err) {
    code = reportError(err, (t) => void (stderr += t));
  } finally {
    await ctx.close();
  }
  return { code, stdout, stderr };
}

async function nothingStarted(): Promise<string[]> {
  const problems: string[] = [];
  const { client } = env;
  const started = await client.workflow.count(`WorkflowId STARTS_WITH 'upgrade-${PREFIX}'`);
  if (started.count > 0) problems.push(`${started.count} upgrade workflow(s) with prefix upgrade-${PREFIX}`);
  for (const id of [`upgrade-${CLUSTER}-1.32`, `upgrade-${CLUSTER}-1.99`, GUARD_ID]) {
    try {
      await client.workflow.getHandle(id).describe();
      problems.push(`${id} exists`);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  const queue = await env.connection.workflowService.describeTaskQueue({
    namespace: env.namespace ?? 'default',
    taskQueue: { name: TASK_QUEUE },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if ((queue.pollers ?? []).length > 0) problems.push(`a worker polled ${TASK_QUEUE}`);
  return problems;
}

void test(`${cases.length} bad inputs: exit code, a message naming what is wrong and the fix, nothing started`, async () => {
  assert.ok(cases.length >= 40, 'at least 40 cases');
  assert.deepEqual(await nothingStarted(), [], 'clean before');
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i += 4) {
    const batch = cases.slice(i, i + 4);
    const results: CliResult[] = await Promise.all(
      batch.map((c) =>
        c.binary ? runCli(c.args(), { ...cliEnv, ...c.env }, 120_000, c.stdin) : runInProcess(c.args(), c.env ?? {}),
      ),
    );
    batch.forEach((c, j) => {
      const r = results[j]!;
      const wrong: string[] = [];
      if (r.code !== c.code) wrong.push(`exit ${r.code}, expected ${c.code}`);
      if (!c.stderr.test(r.stderr)) wrong.push(`stderr does not match ${c.stderr}`);
      if (c.stdout ? !c.stdout.test(r.stdout) : r.stdout !== '')
        wrong.push(`stdout ${c.stdout ? `does not match ${c.stdout}` : 'is not empty'}`);
      if (r.stderr.length > 4000) wrong.push(`stderr is ${r.stderr.length} characters (input quoted whole?)`);
      if (/\n\s+at .*\(.*:\d+:\d+\)/.test(r.stderr)) wrong.push('stderr holds a stack trace');
      if (wrong.length > 0) failures.push(`${c.name}: ${wrong.join('; ')}\n${show(r)}`);
    });
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
  assert.deepEqual(await nothingStarted(), [], 'nothing was started by any refused command');
});

void test('the refusals read the snapshot the way the worker does: a good one passes validation', async () => {
  // Past validation, `start` does contact the server and start: proof that the cases above were refused, not lost.
  const cluster = `ok-${PREFIX}`;
  writeFileSync(path('ok.json'), readFileSync(path('good-1.31.json'), 'utf8').replace(CLUSTER, cluster));
  const r = await runCli(
    ['start', '--cluster', cluster, '--target', '1.32', '--snapshot', path('ok.json'), '--no-ai'],
    cliEnv,
  );
  const id = `upgrade-${cluster}-1.32`;
  assert.equal(r.code, 0, show(r));
  const handle = env.client.workflow.getHandle(id);
  assert.equal((await handle.describe()).status.name, 'RUNNING');
  await handle.terminate('test done');
});
