// Versioned output schemas of the analysis templates. The model answers by calling a tool whose JSON schema is
// generated from these (z.toJSONSchema), and its input is validated with them. Changing a schema's shape means a
// new version: the version is part of every result (promptVersion) and of any cache key.
import { z } from 'zod';

export const FindingSchema = z.object({
  title: z.string().min(1).max(300).describe('Short name of the finding'),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  detail: z.string().max(4000).describe('What it means for this upgrade, citing the evidence'),
});

export const AnalysisOutputSchema = z.object({
  summary: z.string().min(1).max(8000).describe('Two to five sentences a platform engineer can act on'),
  findings: z.array(FindingSchema).max(100),
  breakingChanges: z
    .array(z.string().max(2000))
    .max(100)
    .describe('Changes that break workloads or the cluster on the target version'),
  recommendations: z.array(z.string().max(2000)).max(50).describe('Concrete actions, most important first'),
  severityScore: z.number().min(0).max(10).describe('0 = harmless, 10 = certain breakage'),
  confidence: z.number().min(0).max(1).describe('How sure you are, from 0 to 1, given the evidence provided'),
});

export const UpgradeDecisionOutputSchema = AnalysisOutputSchema.extend({
  verdict: z.enum(['GO', 'GO_WITH_CAUTION', 'NO_GO']),
  reasons: z
    .array(z.string().min(1).max(2000))
    .min(1)
    .max(30)
    .describe('Why, one reason per entry, citing the evidence'),
});

export const RollbackDecisionOutputSchema = AnalysisOutputSchema.extend({
  verdict: z.enum(['ROLLBACK', 'HOLD', 'MONITOR']),
  reasons: z
    .array(z.string().min(1).max(2000))
    .min(1)
    .max(30)
    .describe('Why, one reason per entry, citing the evidence'),
});

export type AnalysisOutput = z.infer<typeof AnalysisOutputSchema>;
export type UpgradeDecisionOutput = z.infer<typeof UpgradeDecisionOutputSchema>;
export type RollbackDecisionOutput = z.infer<typeof RollbackDecisionOutputSchema>;
/** What any template's tool returns: the analysis fields, plus verdict and reasons for the decision kinds. */
export type TemplateOutput = AnalysisOutput & { verdict?: string; reasons?: string[] };

export const OUTPUT_KINDS = ['analysis', 'upgrade-decision', 'rollback-decision'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export const OUTPUT_SCHEMAS: Record<OutputKind, { version: string; schema: z.ZodType<TemplateOutput> }> = {
  analysis: { version: 'analysis-v1', schema: AnalysisOutputSchema },
  'upgrade-decision': { version: 'upgrade-decision-v1', schema: UpgradeDecisionOutputSchema },
  'rollback-decision': { version: 'rollback-decision-v1', schema: RollbackDecisionOutputSchema },
};

/** The JSON schema sent as the tool's inputSchema (no $schema key: Bedrock wants the bare schema object). */
export function toolInputJsonSchema(kind: OutputKind): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(OUTPUT_SCHEMAS[kind].schema, { target: 'draft-2020-12' });
  return schema;
}
