// The bounds on a scan's input (files, bytes, objects): a larger input is refused whole, never half-scanned.

/** Input bounds, configured by environment variables (src/domain/config.ts). */
export interface ManifestLimits {
  maxFiles: number;
  maxBytes: number;
  maxObjects: number;
}

export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = {
  maxFiles: 10_000,
  maxBytes: 256 * 1024 * 1024,
  maxObjects: 1_000_000,
};

export const MANIFEST_LIMIT_VARIABLES: Record<keyof ManifestLimits, string> = {
  maxFiles: 'EKS_UPGRADE_MAX_MANIFEST_FILES',
  maxBytes: 'EKS_UPGRADE_MAX_MANIFEST_BYTES',
  maxObjects: 'EKS_UPGRADE_MAX_MANIFEST_OBJECTS',
};

const LIMIT_NOUN: Record<keyof ManifestLimits, string> = {
  maxFiles: 'files',
  maxBytes: 'bytes',
  maxObjects: 'objects',
};

/** The input is larger than a configured bound: refused whole, never half-scanned. */
export class ManifestLimitError extends Error {
  override readonly name = 'ManifestLimitError';
  readonly variable: string;
  constructor(
    readonly limit: keyof ManifestLimits,
    readonly max: number,
    where: string,
  ) {
    const variable = MANIFEST_LIMIT_VARIABLES[limit];
    super(
      `the manifests in ${where} exceed the limit of ${max} ${LIMIT_NOUN[limit]} (${variable}=${max}): scan fewer paths, or raise ${variable}`,
    );
    this.variable = variable;
  }
}
