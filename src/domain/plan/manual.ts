// Manual steps: parts of the data plane the EKS API cannot move (Fargate pods, Karpenter nodes, self-managed and
// hybrid nodes, node groups whose AMI is in a launch template with no version for the target yet). Each gives the
// exact commands; the executor waits for a person to confirm it is done.
import type { PlanStep } from './types';
import type { StepContext } from './steps';

function manual(
  fields: Pick<PlanStep, 'id' | 'title' | 'summary' | 'precondition' | 'undo' | 'commands' | 'watch'> & {
    subject: Extract<PlanStep['change'], { kind: 'manual' }>['subject'];
    resource?: string;
    estimatedMinutes: number;
  },
): PlanStep {
  const { subject, resource, estimatedMinutes, ...rest } = fields;
  return {
    ...rest,
    stage: 'data-plane-manual',
    automated: false,
    change: { kind: 'manual', subject, ...(resource ? { resource } : {}) },
    apiCalls: [],
    dependsOn: [],
    estimatedMinutes,
  };
}

export function fargateStep(ctx: StepContext, profiles: string[], target: string): PlanStep {
  return manual({
    id: 'manual/fargate',
    subject: 'fargate',
    title: `Restart the pods on Fargate (${profiles.join(', ')}) so they run the ${target} kubelet`,
    summary: `A Fargate pod keeps the kubelet it started with; only a restart after the control plane moves it to ${target}.`,
    precondition: `The control plane is on ${target}.`,
    undo: 'Nothing to undo: restarted pods run the kubelet of the control-plane version they start under.',
    commands: [
      "kubectl get pods -A -o wide | awk 'NR==1 || $8 ~ /^fargate-/'",
      'kubectl -n <namespace> rollout restart deployment/<name>   # for each Deployment, StatefulSet or DaemonSet listed',
    ],
    watch: [
      `kubectl get nodes -l eks.amazonaws.com/compute-type=fargate -o wide: every Fargate node shows v${target}.`,
      'Rollouts complete (kubectl -n <namespace> rollout status deployment/<name>).',
    ],
    estimatedMinutes: 10,
  });
}

export function karpenterStep(ctx: StepContext, nodes: string[], target: string): PlanStep {
  return manual({
    id: 'manual/karpenter',
    subject: 'karpenter',
    title: `Let Karpenter drift its ${nodes.length} node(s) to ${target}`,
    summary: `Karpenter (drift is on by default since v0.33) replaces nodes whose AMI no longer matches: with an alias such as al2023@latest in the EC2NodeClass they move to the ${target} AMI by themselves after the control plane; a pinned AMI must be changed by hand.`,
    precondition: `The control plane is on ${target}.`,
    undo: 'Pin the EC2NodeClass amiSelectorTerms to the previous AMI; Karpenter drifts the nodes back.',
    commands: [
      'kubectl get ec2nodeclass -o yaml | grep -A3 amiSelectorTerms   # alias @latest drifts by itself; a pinned version needs editing',
      'kubectl edit ec2nodeclass <name>   # only when pinned: set the alias or AMI id to a ' + target + ' build',
    ],
    watch: [
      'kubectl get nodeclaims -o wide (Drifted → replaced)',
      `kubectl get nodes -l karpenter.sh/nodepool -o wide: every node shows v${target}; PDBs and disruption budgets are honoured, so it can take a while.`,
    ],
    estimatedMinutes: 30,
  });
}

export function selfManagedStep(ctx: StepContext, nodes: string[], target: string): PlanStep {
  return manual({
    id: 'manual/self-managed',
    subject: 'self-managed',
    title: `Replace the ${nodes.length} self-managed node(s) with ${target} AMIs`,
    summary: `Self-managed nodes have no EKS API: roll their Auto Scaling groups to an EKS-optimized ${target} AMI.`,
    precondition: `The control plane is on ${target}.`,
    undo: 'Roll the Auto Scaling group back to the previous launch-template version, then cordon and drain the new nodes.',
    commands: [
      `aws ssm get-parameter --name /aws/service/eks/optimized-ami/${target}/amazon-linux-2023/x86_64/standard/recommended/image_id --query Parameter.Value --output text${ctx.region ? ` --region ${ctx.region}` : ''}`,
      'aws ec2 create-launch-template-version --launch-template-id <lt-id> --source-version <current> --launch-template-data ImageId=<ami-id>',
      'aws autoscaling start-instance-refresh --auto-scaling-group-name <asg>   # or per node:',
      'kubectl cordon <node> && kubectl drain <node> --ignore-daemonsets --delete-emptydir-data',
    ],
    watch: [`kubectl get nodes -o wide: ${nodes.join(', ')} replaced by nodes on v${target}.`],
    estimatedMinutes: 15 * Math.max(1, nodes.length),
  });
}

export function hybridStep(ctx: StepContext, nodes: string[], target: string): PlanStep {
  return manual({
    id: 'manual/hybrid',
    subject: 'hybrid',
    title: `Upgrade the ${nodes.length} hybrid node(s) to ${target}`,
    summary: 'Hybrid nodes run outside AWS and are upgraded in place with nodeadm.',
    precondition: `The control plane is on ${target}.`,
    undo: `nodeadm upgrade back to the previous minor on each node.`,
    commands: [
      'kubectl cordon <node> && kubectl drain <node> --ignore-daemonsets --delete-emptydir-data',
      `sudo nodeadm upgrade ${target} -c file://nodeConfig.yaml   # on the node`,
      'kubectl uncordon <node>',
    ],
    watch: [`kubectl get nodes -o wide: ${nodes.join(', ')} on v${target}.`],
    estimatedMinutes: 15 * Math.max(1, nodes.length),
  });
}

export function customAmiNodegroupStep(
  ctx: StepContext,
  nodegroupName: string,
  template: { id?: string; name?: string; version?: string },
  target: string,
): PlanStep {
  const ref = template.id ? `--launch-template-id ${template.id}` : `--launch-template-name ${template.name ?? ''}`;
  return manual({
    id: `manual/nodegroup/${nodegroupName}`,
    subject: 'nodegroup',
    resource: nodegroupName,
    title: `Node group ${nodegroupName}: roll out a launch-template version with a ${target} AMI`,
    summary: `${nodegroupName} takes its AMI from launch template ${template.name ?? template.id ?? ''} (v${template.version ?? '?'}); EKS cannot pick a ${target} AMI for it. Create a template version with one, then plan again with --launch-template-version ${nodegroupName}=<version> (the executor then updates it), or update it by hand.`,
    precondition: `The control plane is on ${target}.`,
    undo: `UpdateNodegroupVersion back to launch-template version ${template.version ?? '<previous>'}.`,
    commands: [
      `aws ec2 create-launch-template-version ${ref} --source-version ${template.version ?? '<current>'} --launch-template-data ImageId=<ami-for-${target}>`,
      `aws eks update-nodegroup-version --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName} --launch-template ${template.id ? `id=${template.id}` : `name=${template.name ?? ''}`},version=<new-version>${ctx.region ? ` --region ${ctx.region}` : ''}`,
    ],
    watch: [`kubectl get nodes -l eks.amazonaws.com/nodegroup=${nodegroupName} -o wide: every node on v${target}.`],
    estimatedMinutes: 30,
  });
}
