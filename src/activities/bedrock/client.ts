// The Bedrock Runtime client factory. Retries belong to Temporal, so the SDK's are off (maxAttempts: 1, which also
// beats AWS_MAX_ATTEMPTS and profile settings). Production keeps the SDK's default HTTP/2 handler; tests (and users
// behind proxies that break HTTP/2) pass a NodeHttpHandler. The endpoint, when not given, is the SDK's own choice:
// it honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME (and AWS_ENDPOINT_URL) by itself, which test/integration checks.
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';

export interface BedrockClientOptions {
  region: string;
  /** Overrides the endpoint (e.g. a local fake); leave unset to let the SDK read AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  endpoint?: string;
  /** Transport; unset means the SDK default (HTTP/2). Tests inject `new NodeHttpHandler(...)` for a node:http fake. */
  requestHandler?: BedrockRuntimeClientConfig['requestHandler'];
  /** Explicit credentials (tests); unset means the default AWS credential chain. */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

export function createBedrockRuntimeClient(options: BedrockClientOptions): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  });
}
