// Request metrics in client-go's names, registered once per Registry (a cache and a client may share one).
import { Counter, Histogram, type Registry } from 'prom-client';

const REQUESTS = 'rest_client_requests_total';
const DURATION = 'rest_client_request_duration_seconds';

export interface RestMetrics {
  /** `code` is the HTTP status, or "<error>" when no answer came. */
  observe(method: string, host: string, code: string, seconds: number): void;
}

export const noMetrics: RestMetrics = { observe: () => undefined };

export function restMetrics(registry: Registry | undefined): RestMetrics {
  if (!registry) return noMetrics;
  const requests =
    (registry.getSingleMetric(REQUESTS) as Counter<'code' | 'method' | 'host'> | undefined) ??
    new Counter({
      name: REQUESTS,
      help: 'Number of HTTP requests to the API server, by status code, method and host.',
      labelNames: ['code', 'method', 'host'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(DURATION) as Histogram<'verb' | 'host'> | undefined) ??
    new Histogram({
      name: DURATION,
      help: 'Latency of HTTP requests to the API server (until the response headers), by verb and host.',
      labelNames: ['verb', 'host'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [registry],
    });
  return {
    observe(method, host, code, seconds) {
      requests.inc({ code, method, host });
      duration.observe({ verb: method, host }, seconds);
    },
  };
}
