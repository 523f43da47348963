// Every `eks-upgrade` command, declared once: name, description, flags, and a lazy import of its implementation
// (nothing below loads a command's dependencies until it runs). Help lists them in this order. To add a command,
// write its implementation (flags, ctx) => exit code in a file of its own and add one defineCommand entry here.
import { defineCommand, formatOption, upgradeRefFlags, type CommandSpec } from '../command-registry';
import { CAMPAIGN_COMMANDS } from './campaign-cli';
import type { CommandContext } from '../context';

export const COMMANDS: readonly CommandSpec[] = [
  defineCommand({
    name: 'start',
    description:
      'start an upgrade (analysis, or with --mode execute the upgrade itself): workflow upgrade-<cluster>-<target>',
    flags: (cmd) =>
      cmd
        .option('--cluster <name>', 'EKS cluster name')
        .option('--target <version>', 'Kubernetes minor to upgrade to, e.g. 1.31')
        .option('--current <version>', 'current minor (default: from the inventory)')
        .option('--region <region>', 'AWS region of the cluster (default: AWS_REGION with --live)')
        .option('--snapshot <file>', 'cluster snapshot JSON (see `eks-upgrade snapshot`)')
        .option('--live', 'read the cluster from the EKS API instead of a snapshot')
        .option('--role-arn <arn>', "with --live: an IAM role in the cluster's account for the worker to assume")
        .option('--manifests <paths...>', 'manifest files or directories to scan for removed APIs')
        .option('--config <file>', 'suppressions and settings (default ./.eks-upgrade.yaml when present)')
        .option(
          '--release-notes <source>',
          "'changelog' (official, cached), 'none', or a local file/directory",
          'changelog',
        )
        .option('--mode <mode>', 'analyze (decide and plan only) or execute (run the plan after approval)', 'analyze')
        .option('--auto-approve', 'approve automatically when the decision is GO')
        .option('--concurrency <n>', 'node groups updated at once (execute mode; default 1)')
        .option('--max-unavailable <n>', "nodes each node group replaces at once (default: the group's setting)")
        .option('--pause-between-stages', 'execute mode: stop before each stage after the first until `resume`')
        .option(
          '--auto-rollback',
          'execute mode: run the rollback plan at once on a ROLLBACK verdict (no confirmation)',
        )
        .option('--poll-interval <duration>', 'execute mode: how often each step polls DescribeUpdate (default 30s)')
        .option('--no-ai', 'skip the Bedrock analyses: deterministic rules only')
        .option('--soak <duration>', 'soak window after approval, open to rollback requests (e.g. 30m, 1h)')
        .option('--approval-timeout <duration>', 'how long to wait for approve/abort (e.g. 7d)')
        .option('--remote-paths', 'do not check that paths exist here (the worker reads them elsewhere)')
        .option('--wait', 'follow the progress until the decision')
        .option('--wait-timeout <duration>', 'give up waiting after this long', '30m')
        .option('--ui-url <url>', 'Temporal Web UI base URL (default EKS_UPGRADE_UI_URL or http://localhost:8233)')
        .addOption(formatOption()),
    run: () => import('./start.js').then((m) => m.runStart),
  }),

  defineCommand({
    name: 'status',
    description: 'phase, progress, decision and cost of an upgrade',
    flags: (cmd) => upgradeRefFlags(cmd).addOption(formatOption()),
    run: () => import('./control.js').then((m) => m.runStatus),
  }),

  defineCommand({
    name: 'approve',
    description: 'approve an upgrade waiting at the approval gate',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--by <name>', 'who approves (default $USER)')
        .option('--comment <text>', 'recorded with the approval')
        .option('--override-blockers', 'approve a NO_GO anyway, accepting its blockers (needs --reason; audited)')
        .option('--reason <text>', 'why the blockers are overridden (with --override-blockers)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./control.js').then((m) => m.runApprove),
  }),

  defineCommand({
    name: 'abort',
    description: 'abort an upgrade',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--reason <text>', 'why (required)')
        .option('--by <name>', 'who aborts (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./control.js').then((m) => m.runAbort),
  }),

  defineCommand({
    name: 'rollback',
    description: 'request a rollback decision during the soak window',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--reason <text>', 'what is wrong (required)')
        .option('--evidence <text|@file>', 'supporting evidence: text, or @file to read it from a file')
        .option('--by <name>', 'who asks (default $USER)')
        .option('--wait', 'wait for the verdict and print it')
        .option('--wait-timeout <duration>', 'give up waiting after this long', '5m')
        .option(
          '--confirm',
          'execute mode: run the proposed rollback plan (after a ROLLBACK verdict), or roll back instead of going on while a step waits for a decision',
        )
        .addOption(formatOption()),
    run: () => import('./control.js').then((m) => m.runRollback),
  }),

  defineCommand({
    name: 'retry',
    description: 'execute mode: run a failed step again (a new EKS update), or check drift again',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--step <id>', 'the waiting step (needed when several wait)')
        .option(
          '--force',
          'EKS force: evict past PDBs, skip readiness insights, overwrite add-on fields (needs --reason)',
        )
        .option('--reason <text>', 'why (required with --force; recorded in history and the report)')
        .option('--by <name>', 'who decides (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./execution.js').then((m) => m.runRetry),
  }),

  defineCommand({
    name: 'skip',
    description: 'execute mode: leave a failed or manual step (never the control plane), or go on despite drift',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--step <id>', 'the waiting step (needed when several wait)')
        .option('--reason <text>', 'why (required; recorded in history and the report)')
        .option('--by <name>', 'who decides (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./execution.js').then((m) => m.runSkip),
  }),

  defineCommand({
    name: 'pause',
    description: 'execute mode: stop before the next step (running EKS updates finish: EKS cannot pause them)',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--reason <text>', 'why')
        .option('--by <name>', 'who pauses (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./execution.js').then((m) => m.runPause),
  }),

  defineCommand({
    name: 'resume',
    description: 'execute mode: go on after a pause or a stage gate, or confirm a manual step is done',
    flags: (cmd) =>
      upgradeRefFlags(cmd)
        .option('--comment <text>', 'recorded with the decision')
        .option('--by <name>', 'who resumes (default $USER)')
        .addOption(formatOption(['text', 'json'])),
    run: () => import('./execution.js').then((m) => m.runResume),
  }),

  defineCommand({
    name: 'report',
    description: 'the upgrade report (junit, sarif: its findings, for CI)',
    flags: (cmd) => upgradeRefFlags(cmd).addOption(formatOption(['md', 'json', 'text', 'junit', 'sarif'])),
    run: () => import('./control.js').then((m) => m.runReport),
  }),

  defineCommand({
    name: 'list',
    description: 'upgrades in this namespace (visibility query on our search attributes)',
    flags: (cmd) =>
      cmd
        .option('--cluster <name>', 'only this cluster')
        .option('--target <version>', 'only this target version')
        .option('--phase <phase>', 'only this phase, e.g. awaiting-approval')
        .option('--decision <verdict>', 'only GO, GO_WITH_CAUTION or NO_GO')
        .option('--running', 'only running upgrades')
        .option('--limit <n>', 'at most this many', '50')
        .addOption(formatOption()),
    run: () => import('./list.js').then((m) => m.runList),
  }),

  defineCommand({
    name: 'cost',
    description: "the Bedrock guard's daily ledger and rate window; --set-* change limits on every worker at once",
    flags: (cmd) =>
      cmd
        .option('--set-daily-limit <usd>', 'daily Bedrock budget in USD')
        .option('--set-rpm <n>', 'requests allowed per rate window')
        .option('--set-tpm <n|off>', "tokens allowed per rate window, or 'off'")
        .option('--set-window <duration>', 'rate window length, e.g. 1m')
        .addOption(formatOption()),
    run: () => import('./cost.js').then((m) => m.runCost),
  }),

  defineCommand({
    name: 'scan',
    description:
      'find deprecated and removed APIs in manifests and Helm release Secrets, without Temporal (exit 3: a removed API in use; 1: unreadable input)',
    flags: (cmd) =>
      cmd
        .option(
          '--manifests <paths...>',
          "manifest files or directories (YAML/JSON, multi-document, kind: List); '-' reads stdin (helm template ... |)",
        )
        .option('--target <version>', 'Kubernetes minor to check against, e.g. 1.32')
        .option(
          '--current <version>',
          'current minor (default: the one before --target), for "replacement already served"',
        )
        .option('--allow-unreadable', 'exit 0 rather than 1 when some input could not be read (it is still listed)')
        .option('--config <file>', 'suppressions and settings (default ./.eks-upgrade.yaml when present)')
        .option('--additional-versions <file>', "extra deprecated APIs in pluto's versions-file format (CRDs, add-ons)")
        .addOption(formatOption(['text', 'json', 'md', 'junit', 'sarif'])),
    run: () => import('./scan.js').then((m) => m.runScanCommand),
  }),

  defineCommand({
    name: 'snapshot',
    description:
      'read a cluster from the EKS API (and EC2 for subnet IPs; --live: its Kubernetes API) into a snapshot JSON for `start --snapshot`',
    flags: (cmd) =>
      cmd
        .option('--cluster <name>', 'EKS cluster name (required)')
        .option('--region <region>', 'AWS region (default AWS_REGION)')
        .option('--target <version>', 'target minor, to record add-on versions compatible with it')
        .option('--output <file>', 'write here instead of stdout')
        .option('--no-ec2', 'skip EC2 (subnet free IPs, launch-template versions)')
        .option('--live', 'also read the Kubernetes API: nodes, workloads, Helm releases, CRDs, live API use')
        .option('--kubeconfig <file>', 'with --live: kubeconfig to use (default KUBECONFIG or ~/.kube/config)')
        .option('--context <name>', 'with --live: kubeconfig context (default its current context)')
        .option(
          '--eks-token',
          'with --live: connect through the EKS endpoint with an IAM token even if a kubeconfig exists',
        ),
    run: () => import('./snapshot.js').then((m) => m.runSnapshotCommand),
  }),

  ...CAMPAIGN_COMMANDS,

  defineCommand({
    name: 'plan',
    description: 'the upgrade plan as a playbook (steps, commands, order, what to watch), without changing anything',
    flags: (cmd) =>
      cmd
        .option('--snapshot <file>', 'cluster snapshot JSON (see `eks-upgrade snapshot`)')
        .option('--live', 'read the cluster from the EKS API instead')
        .option('--cluster <name>', 'EKS cluster name (required with --live)')
        .option('--region <region>', 'AWS region with --live (default AWS_REGION)')
        .option('--target <version>', 'Kubernetes minor to upgrade to, e.g. 1.32')
        .option('--concurrency <n>', 'node groups updated at once', '1')
        .option('--max-unavailable <n>', "nodes each node group replaces at once (default: the group's setting)")
        .option('--launch-template-version <nodegroup=version...>', 'launch-template version to roll out (custom AMIs)')
        .option('--resolve-conflicts <mode>', 'UpdateAddon resolveConflicts: PRESERVE, OVERWRITE or NONE', 'PRESERVE')
        .addOption(formatOption(['md', 'json', 'text'])),
    run: () => import('./plan.js').then((m) => m.runPlanCommand),
  }),

  defineCommand({
    name: 'worker',
    description:
      'run a worker: upgrade and guard workflows, evidence and Bedrock activities (Ctrl-C drains, then stops)',
    run: () =>
      import('../../worker/main.js').then((m) => (_flags: unknown, ctx: CommandContext) => m.runWorkerMain(ctx.env)),
  }),

  defineCommand({
    name: 'demo',
    description:
      'start a dev server with its Web UI and a worker, analyse (with --execute: upgrade) the bundled sample cluster, print the report',
    flags: (cmd) =>
      cmd
        .option('--no-ai', 'skip Bedrock even when AWS credentials are present')
        .option(
          '--keep-server',
          'keep the server and worker running afterwards, for browsing the Web UI (Ctrl-C stops)',
        )
        .option(
          '--port <port>',
          'preferred frontend port (the UI uses port + 1000); another is chosen when busy',
          '7233',
        )
        .option(
          '--execute',
          'also upgrade the sample, end to end, against the in-process EKS simulator ("simulated EKS")',
        )
        .option(
          '--external-worker',
          'with --execute: run no worker here; print the command for one (to kill and restart)',
        )
        .option(
          '--soak <duration>',
          'soak window after the upgrade, open to rollback requests (default 5s; 10s with --execute)',
        )
        .option('--eks-port <port>', 'port of the EKS simulator (with --execute; another is chosen when busy)', '7300')
        .addOption(formatOption(['md', 'json', 'text'])),
    run: () => import('../demo.js').then((m) => m.runDemoCommand),
  }),
];
