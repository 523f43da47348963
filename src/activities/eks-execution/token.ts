// The clientRequestToken of one plan step: derived from the workflow id, the execution's token scope (its first run
// id), the step id and the operator's retry round (never the activity attempt), so every attempt and every worker
// sends the same token for the same step, and a later execution under the same workflow id sends new ones. EKS
// documents no length limit; other AWS APIs cap tokens at 64 characters, so it is a 36-character UUID (version 8,
// RFC 9562: bits from SHA-256), whatever the length of the ids.
import { createHash } from 'node:crypto';

export function stepToken(workflowId: string, stepId: string, round: number, scope = ''): string {
  const hex = createHash('sha256')
    .update(`eks-upgrade-agent\n${workflowId}\n${scope}\n${stepId}\n${round}`)
    .digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
