// Reads a snapshot file for the worker (before anything reaches history) and for `start` (before anything is
// started): a directory, an oversized file, empty, binary, non-JSON, an unknown schemaVersion or a schema error
// are all refused with the file and the field named. The parsing itself is src/domain/snapshot.ts.
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_SNAPSHOT_BYTES } from '../../domain/config';
import { parseSnapshotText, SnapshotError, type ClusterSnapshot } from '../../domain/snapshot';

export const SNAPSHOT_BYTES_VARIABLE = 'EKS_UPGRADE_MAX_SNAPSHOT_BYTES';

/** The snapshot is larger than EKS_UPGRADE_MAX_SNAPSHOT_BYTES. */
export class SnapshotTooLargeError extends SnapshotError {
  readonly variable = SNAPSHOT_BYTES_VARIABLE;
}

export async function loadSnapshotFile(path: string, maxBytes = DEFAULT_MAX_SNAPSHOT_BYTES): Promise<ClusterSnapshot> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new SnapshotError(`the snapshot path ${path} is a directory: give the snapshot JSON file itself`, '(root)');
    size = info.size;
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError(
      `cannot read the snapshot file ${path}: check the path (see docs/snapshot.md for the format)`,
      '(root)',
    );
  }
  if (size > maxBytes)
    throw new SnapshotTooLargeError(
      `the snapshot file ${path} is ${size} bytes, over the limit of ${maxBytes} (${SNAPSHOT_BYTES_VARIABLE}=${maxBytes}): raise ${SNAPSHOT_BYTES_VARIABLE} if the file is right`,
      '(root)',
    );
  return parseSnapshotText(await readFile(path, 'utf8'), path);
}
