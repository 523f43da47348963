// Every workflow the worker runs. The bundler's entry point (workflowsPath).
export { bedrockGuardWorkflow } from './guard';
export { upgradeWorkflow } from './upgrade';
export { campaignWorkflow } from './campaign';
export { sharedAnalysisWorkflow } from './analysis-cache';
