// What kube-apiserver itself counted during a phase of a bench: requests by verb and resource
// (`apiserver_request_total`) and watch events sent by resource (`apiserver_watch_events_total`, with their bytes),
// read from its /metrics before and after the phase. Tells where the API server's work per application comes from
// (which writes, which watch fan-out), beyond what the operator's own client counts.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseMetrics, type Sample } from '../../harness/metrics.ts';
import { RestClient } from '../../src/runtime/rest/restclient.ts';

export interface ApiServerCounts {
  /** "VERB resource[/subresource]" → requests (WATCH and LIST included; long-running watches count when opened). */
  readonly requests: Readonly<Record<string, number>>;
  /** resource → watch events sent to watchers. */
  readonly watchEvents: Readonly<Record<string, number>>;
  /** resource → bytes of those events. */
  readonly watchEventBytes: Readonly<Record<string, number>>;
}

export async function readApiServerCounts(kc: KubeConfig): Promise<ApiServerCounts> {
  const rest = new RestClient({ kubeConfig: kc, qps: 100, burst: 100, userAgent: 'sparkop-bench-metrics' });
  try {
    const res = await rest.transport.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return countsOf(parseMetrics(res.body.toString('utf8')));
  } finally {
    rest.transport.close();
  }
}

function countsOf(samples: readonly Sample[]): ApiServerCounts {
  const requests: Record<string, number> = {};
  const watchEvents: Record<string, number> = {};
  const watchEventBytes: Record<string, number> = {};
  const add = (into: Record<string, number>, key: string, value: number) => {
    into[key] = (into[key] ?? 0) + value;
  };
  for (const s of samples) {
    const resource = s.labels.resource ?? s.labels.kind ?? '';
    if (s.name === 'apiserver_request_total') {
      const sub = s.labels.subresource ? `/${s.labels.subresource}` : '';
      add(requests, `${s.labels.verb ?? '?'} ${resource}${sub}`, s.value);
    } else if (s.name === 'apiserver_watch_events_total') {
      add(watchEvents, resource, s.value);
    } else if (s.name === 'apiserver_watch_events_sizes_sum') {
      add(watchEventBytes, resource, s.value);
    }
  }
  return { requests, watchEvents, watchEventBytes };
}

/** after − before, per application (2 decimals), keeping keys that changed by at least 0.01 per application. */
export function perApplication(before: ApiServerCounts, after: ApiServerCounts, apps: number): ApiServerCounts {
  const diff = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
    const out: [string, number][] = [];
    for (const [k, v] of Object.entries(b)) {
      const per = Math.round(((v - (a[k] ?? 0)) / apps) * 100) / 100;
      if (per >= 0.01) out.push([k, per]);
    }
    return Object.fromEntries(out.sort(([, x], [, y]) => y - x));
  };
  return {
    requests: diff(before.requests, after.requests),
    watchEvents: diff(before.watchEvents, after.watchEvents),
    watchEventBytes: diff(before.watchEventBytes, after.watchEventBytes),
  };
}
