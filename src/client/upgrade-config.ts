// Reading `.eks-upgrade.yaml` (suppressions, per-check knobs, extra API versions; docs/suppressions.md) and pluto
// versions files for the commands. A named file that is missing or invalid is bad input (exit 2, naming it); without
// a name, ./.eks-upgrade.yaml is used when it exists.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { parseUpgradeConfig, type UpgradeConfig } from '../domain/suppressions';
import { parseVersionsFile, type UserVersions } from '../domain/third-party-apis';
import { UsageError } from './usage';

export const DEFAULT_CONFIG_FILE = '.eks-upgrade.yaml';

function readYaml(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}: check the path`, flag);
  }
  try {
    return parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${path} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, flag);
  }
}

/** The configuration from `--config FILE`, or ./.eks-upgrade.yaml when present; undefined when there is none. */
export function readUpgradeConfig(path: string | undefined, cwd = process.cwd()): UpgradeConfig | undefined {
  const file = path ? resolve(cwd, path) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!path && !existsSync(file)) return undefined;
  try {
    return parseUpgradeConfig(readYaml(file, '--config'), file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error), '--config');
  }
}

/** A pluto-format versions file (`--additional-versions`). */
export function readVersionsFile(path: string, cwd = process.cwd()): UserVersions {
  const file = resolve(cwd, path);
  try {
    return parseVersionsFile(readYaml(file, '--additional-versions'), file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error), '--additional-versions');
  }
}

/** The config's own extra versions merged with a versions file's (the file's entries first). */
export function mergeVersions(
  config: UpgradeConfig | undefined,
  file: UserVersions | undefined,
): UserVersions | undefined {
  const fromConfig = config?.additionalVersions
    ? parseVersionsFile(config.additionalVersions, `${DEFAULT_CONFIG_FILE} additionalVersions`)
    : undefined;
  if (!fromConfig) return file;
  if (!file) return fromConfig;
  return {
    thirdParty: [...file.thirdParty, ...fromConfig.thirdParty],
    kubernetes: [...file.kubernetes, ...fromConfig.kubernetes],
    targetVersions: { ...fromConfig.targetVersions, ...file.targetVersions },
  };
}
