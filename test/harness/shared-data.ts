// The project's reference data lives in the `shared` folder beside the checkout (../shared), as on developer
// machines and in CI. EKS_UPGRADE_SHARED_DIR overrides it. A missing folder is an error, never a silent skip.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_DIR = process.env.EKS_UPGRADE_SHARED_DIR ?? resolve(__dirname, '../../../shared');

/** A path inside the shared folder; throws a clear error when the folder is not there. */
export function sharedPath(...parts: string[]): string {
  if (!existsSync(SHARED_DIR)) {
    throw new Error(
      `The shared reference data was not found at ${SHARED_DIR}. Check out the project beside its shared/ folder or set EKS_UPGRADE_SHARED_DIR.`,
    );
  }
  return join(SHARED_DIR, ...parts);
}
