// The Bedrock Runtime client factory: SDK retries off whatever the environment says (Temporal owns retries),
// the SDK's HTTP/2 handler by default, an injected NodeHttpHandler when given, region and endpoint as configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { createBedrockRuntimeClient } from '../../src/activities/bedrock/client';

void test('SDK retries are off (maxAttempts 1) even when AWS_MAX_ATTEMPTS asks for more', async () => {
  process.env.AWS_MAX_ATTEMPTS = '5';
  try {
    const client = createBedrockRuntimeClient({ region: 'us-east-1' });
    assert.equal(await client.config.maxAttempts(), 1);
    client.destroy();
  } finally {
    delete process.env.AWS_MAX_ATTEMPTS;
  }
});

void test('production uses the SDK default HTTP/2 handler; tests can inject NodeHttpHandler', () => {
  const production = createBedrockRuntimeClient({ region: 'us-east-1' });
  assert.ok(production.config.requestHandler instanceof NodeHttp2Handler);
  production.destroy();
  const handler = new NodeHttpHandler();
  const injected = createBedrockRuntimeClient({ region: 'us-east-1', requestHandler: handler });
  assert.equal(injected.config.requestHandler, handler);
  injected.destroy();
});

void test('region and an explicit endpoint are passed through', async () => {
  const client = createBedrockRuntimeClient({ region: 'eu-central-1', endpoint: 'http://127.0.0.1:9' });
  assert.equal(await client.config.region(), 'eu-central-1');
  const endpoint = await client.config.endpoint?.();
  assert.deepEqual([endpoint?.protocol, endpoint?.hostname, endpoint?.port], ['http:', '127.0.0.1', 9]);
  client.destroy();
});
