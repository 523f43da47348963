// The API server's `apiserver_requested_deprecated_apis` gauge from /metrics (Prometheus text format): one series
// per deprecated group/version/resource a client requested since the server started, with the removed_release
// label when a removal is scheduled. Only that metric's lines are read; the rest of the exposition is skipped.
import type { RequestedDeprecatedApi } from './kubernetes-inventory';

export const REQUESTED_DEPRECATED_APIS_METRIC = 'apiserver_requested_deprecated_apis';

/** Label values as the text format escapes them: \\, \" and \n. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Series of the metric with a value of 1 (the gauge is 1 for every requested deprecated API), deduplicated. */
export function parseRequestedDeprecatedApis(exposition: string): RequestedDeprecatedApi[] {
  const seen = new Map<string, RequestedDeprecatedApi>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(REQUESTED_DEPRECATED_APIS_METRIC)) continue;
    const rest = line.slice(REQUESTED_DEPRECATED_APIS_METRIC.length);
    if (!rest.startsWith('{') && !rest.startsWith(' ')) continue; // another metric with this prefix
    const close = rest.lastIndexOf('}');
    const labels = rest.startsWith('{') && close > 0 ? parseLabels(rest.slice(1, close)) : {};
    const value = Number((close > 0 ? rest.slice(close + 1) : rest).trim().split(/\s+/)[0]);
    if (value !== 1 || !labels.version || !labels.resource) continue;
    const api: RequestedDeprecatedApi = {
      group: labels.group ?? '',
      version: labels.version,
      resource: labels.resource,
      ...(labels.subresource ? { subresource: labels.subresource } : {}),
      ...(labels.removed_release ? { removedRelease: labels.removed_release } : {}),
    };
    seen.set(`${api.group}/${api.version}/${api.resource}/${api.subresource ?? ''}`, api);
  }
  return [...seen.values()];
}
