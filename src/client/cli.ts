// Entry point of the `eks-upgrade` binary (bin/eks-upgrade.cjs loads this file through tsx). The commands live
// in program.ts; this file only runs them and turns the outcome into the process exit code.
import { runCli } from './program';

runCli(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
