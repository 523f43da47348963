// Entry point of the test-only workflow bundle: every production workflow plus the small workflows some tests
// use to drive activities on a real server. Built once per run by scripts/run-tests.ts, like the production one.
export * from '../../src/workflows';
export { guardedCallsWorkflow } from '../integration/guard-test-workflows';
export { cancelledAnalysisWorkflow, releaseNotesAnalysisWorkflow } from '../integration/bedrock-test-workflows';
export { executeStepsWorkflow } from '../integration/execution-test-workflows';
export { changedWithoutPatchWorkflow } from '../integration/upgrade-test-workflows';
