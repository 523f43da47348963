// A liveness file for container healthchecks: while the worker runs, its modification time is refreshed every few
// seconds; it is removed when the worker stops. docker-compose.yml's healthcheck asks whether it changed within
// the last minute (`find FILE -mmin -1`), which needs no network client in the image.
import { rmSync, writeFileSync } from 'node:fs';

export const HEALTH_FILE_REFRESH_MS = 5000;

/** Starts refreshing `path` while `running()` holds; the returned function stops it and removes the file. */
export function keepHealthFile(path: string, running: () => boolean): () => void {
  const touch = () => {
    if (running()) writeFileSync(path, `${new Date().toISOString()}\n`);
  };
  touch();
  const timer = setInterval(touch, HEALTH_FILE_REFRESH_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    rmSync(path, { force: true });
  };
}
