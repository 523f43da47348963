// Types of build-state.cjs, for the TypeScript that imports it (the build script, the worker, the test runner).
export declare const ROOT: string;
export declare const DIST_DIR: string;
export declare const STAMP_FILE: string;
export declare const WORKFLOW_BUNDLE_FILE: string;
export type BuildState = { fresh: true } | { fresh: false; reason: string };
export declare function buildState(root?: string): BuildState;
export declare function sourceFiles(root?: string): Array<{ path: string; mtimeMs: number }> | undefined;
