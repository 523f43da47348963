// The cluster snapshot: everything the readiness checks need about one EKS cluster, read from the EKS API or from
// a JSON file (offline use, tests, the demo). OWNED BY THE EVIDENCE WORK (issue 4): extend, do not rename.
import { z } from 'zod';

export const ClusterSnapshotSchema = z.object({
  schemaVersion: z.literal(1),
  capturedAt: z.string().optional(),
  cluster: z.object({
    name: z.string().min(1),
    region: z.string().optional(),
    /** Kubernetes minor, e.g. "1.30". */
    version: z.string().regex(/^1\.\d{1,2}$/, { error: 'expected a Kubernetes minor version such as 1.30' }),
  }).loose(),
}).loose();

export type ClusterSnapshot = z.infer<typeof ClusterSnapshotSchema>;
