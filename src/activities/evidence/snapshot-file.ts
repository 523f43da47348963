// Reads a snapshot file for the worker (before anything reaches history) and for `start` (before anything is
// started): a directory, an oversized file, empty, binary, non-JSON, an unknown schemaVersion or a schema error
// are all refused with the file and the field named. The parsing itself is src/domain/snapshot.ts.
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_SNAPSHOT_BYTES } from '../../domain/config';
import { parseSnapshotText, SnapshotError, type ClusterSnapshot } from '../../domain/snapshot';

export const SNAPSHOT_BYTES_VARIABLE = 'EKS_UPGRADE_MAX_SNAPSHOT_BYTES';

/** The snapshot is larger than EKS_UPGRADE_MAX_SNAPSHOT_BYTES. */
export class SnapshotTooLargeError extends SnapshotError {
  readonly variable = SNAPSHOT_BYTES_VARIABLE;
}

/** Refuses what is not worth reading: a path that is not there, a directory, a file over the limit. */
function checkFile(path: string, info: () => Stats, maxBytes: number): void {
  let stats: Stats;
  try {
    stats = info();
  } catch (error) {
    throw new SnapshotError(
      `cannot read the snapshot file ${path}: check the path (see docs/snapshot.md for the format)`,
      '(root)',
      { cause: error },
    );
  }
  if (stats.isDirectory())
    throw new SnapshotError(`the snapshot path ${path} is a directory: give the snapshot JSON file itself`, '(root)');
  if (stats.size > maxBytes)
    throw new SnapshotTooLargeError(
      `the snapshot file ${path} is ${stats.size} bytes, over the limit of ${maxBytes} (${SNAPSHOT_BYTES_VARIABLE}=${maxBytes}): raise ${SNAPSHOT_BYTES_VARIABLE} if the file is right`,
      '(root)',
    );
}

export async function loadSnapshotFile(path: string, maxBytes = DEFAULT_MAX_SNAPSHOT_BYTES): Promise<ClusterSnapshot> {
  let stats: Stats | Error;
  try {
    stats = await stat(path);
  } catch (error) {
    stats = error instanceof Error ? error : new Error(String(error));
  }
  checkFile(
    path,
    () => {
      if (stats instanceof Error) throw stats;
      return stats;
    },
    maxBytes,
  );
  return parseSnapshotText(await readFile(path, 'utf8'), path);
}

/** The same checks, synchronously, for the client's validation of `start` flags. */
export function loadSnapshotFileSync(path: string, maxBytes = DEFAULT_MAX_SNAPSHOT_BYTES): ClusterSnapshot {
  checkFile(path, () => statSync(path), maxBytes);
  return parseSnapshotText(readFileSync(path, 'utf8'), path);
}
