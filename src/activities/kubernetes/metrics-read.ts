// GET /metrics through the client's authentication and the shared transport, streamed line by line: of a
// kube-apiserver exposition (often megabytes) only the apiserver_requested_deprecated_apis series are kept.
import { ApiException, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { parseRequestedDeprecatedApis, REQUESTED_DEPRECATED_APIS_METRIC } from '../../domain/apiserver-metrics';
import type { RequestedDeprecatedApi } from '../../domain/kubernetes-inventory';
import type { KubernetesTransport } from './transport';

export async function fetchRequestedDeprecatedApis(
  kc: KubeConfig,
  transport: KubernetesTransport,
): Promise<RequestedDeprecatedApi[]> {
  const request = new RequestContext(`${kc.getCurrentCluster()?.server ?? ''}/metrics`, 'GET');
  request.setHeaderParam('Accept', 'text/plain');
  await kc.applySecurityAuthentication(request);
  const response = await transport.send(request);
  if (response.httpStatusCode !== 200) {
    const text = await response.body.text().catch(() => '');
    throw new ApiException(response.httpStatusCode, 'metrics', { message: text.slice(0, 200) }, response.headers);
  }
  const kept: string[] = [];
  const stream = response.body.stream();
  if (stream) {
    const decoder = new TextDecoder();
    let carry = '';
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith(REQUESTED_DEPRECATED_APIS_METRIC)) kept.push(line);
    }
    if (carry.startsWith(REQUESTED_DEPRECATED_APIS_METRIC)) kept.push(carry);
  }
  return parseRequestedDeprecatedApis(kept.join('\n'));
}
