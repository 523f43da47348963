// Custom prompt templates: YAML or JSON files in EKS_UPGRADE_PROMPTS_DIR that add
// templates or override built-in ones. An override may give only the fields it changes (the rest is inherited),
// must bump `version` (results and cache keys carry it), and keeps the built-in's output kind, because the
// workflow relies on it (a decision must still return a verdict). Bad files stop start-up with a clear message.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OUTPUT_KINDS } from './schemas';
import {
  BUILT_IN_TEMPLATES,
  builtInTemplateRegistry,
  TEMPLATE_VARIABLES,
  type PromptTemplate,
  type TemplateRegistry,
} from './templates';

export class PromptTemplateError extends Error {
  override readonly name = 'PromptTemplateError';
}

const CustomTemplateSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected 1-64 letters, digits, _ or - (it is also the tool name)' }),
  version: z.union([z.string().min(1), z.number()]).transform(String),
  description: z.string().min(1).max(1_000).optional(),
  outputKind: z.enum(OUTPUT_KINDS, { error: `expected one of ${OUTPUT_KINDS.join(', ')}` }).optional(),
  system: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
});

/** Parses one template file's text; `file` names it in errors. */
export function parseTemplateFile(file: string, text: string): PromptTemplate {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PromptTemplateError(`Custom prompt template ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = CustomTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n');
    throw new PromptTemplateError(
      `Custom prompt template ${file} is invalid:\n${issues}\nFields: name, version, description, outputKind (${OUTPUT_KINDS.join(' | ')}), system, task.`,
    );
  }
  const t = parsed.data;
  const builtIn = (BUILT_IN_TEMPLATES as Record<string, PromptTemplate | undefined>)[t.name];
  if (builtIn) {
    if (t.outputKind && t.outputKind !== builtIn.outputKind) {
      throw new PromptTemplateError(
        `Custom prompt template ${file} overrides ${t.name} with outputKind '${t.outputKind}', but ${t.name} must keep '${builtIn.outputKind}' (the workflow reads its fields). Remove outputKind or use a new name.`,
      );
    }
    if (t.version === builtIn.version) {
      throw new PromptTemplateError(
        `Custom prompt template ${file} overrides ${t.name} but keeps version '${t.version}'. Give it a new version (e.g. '${t.version}-custom') so results and caches tell the prompts apart.`,
      );
    }
  } else if (!t.system || !t.task) {
    throw new PromptTemplateError(
      `Custom prompt template ${file} adds a new template ${t.name}, so it needs both 'system' and 'task'.`,
    );
  }
  const template: PromptTemplate = {
    name: t.name,
    version: t.version,
    description: t.description ?? builtIn?.description ?? `Custom analysis ${t.name}`,
    outputKind: t.outputKind ?? builtIn?.outputKind ?? 'analysis',
    system: t.system ?? builtIn?.system ?? '',
    task: t.task ?? builtIn?.task ?? '',
    source: file,
  };
  const unknown = [...template.task.matchAll(/\{\{\s*([A-Za-z]+)\s*\}\}/g)]
    .map((m) => m[1] ?? '')
    .filter((v) => !(TEMPLATE_VARIABLES as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new PromptTemplateError(
      `Custom prompt template ${file} uses unknown variable(s) ${unknown.map((v) => `{{${v}}}`).join(', ')}; available: ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}. Evidence is passed separately as fenced data, not through variables.`,
    );
  }
  return template;
}

/** The built-in templates, overridden or extended by every *.yaml / *.yml / *.json file in `dir` (if given). */
export function loadTemplateRegistry(dir?: string): TemplateRegistry {
  const registry = new Map(builtInTemplateRegistry());
  if (!dir) return registry;
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir)
      .filter((n) => ['.yaml', '.yml', '.json'].includes(extname(n).toLowerCase()))
      .sort();
  } catch (err) {
    throw new PromptTemplateError(
      `EKS_UPGRADE_PROMPTS_DIR=${dir} cannot be read (${(err as Error).message}). Point it at a directory of template files or unset it.`,
    );
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const template = parseTemplateFile(file, readFileSync(file, 'utf8'));
    const earlier = seen.get(template.name);
    if (earlier)
      throw new PromptTemplateError(
        `Custom prompt templates ${earlier} and ${file} both define ${template.name}; keep one.`,
      );
    seen.set(template.name, file);
    registry.set(template.name, template);
  }
  return registry;
}
