// A minimal HTTP(S) client for bootstrapping and probing the control plane (before any Kubernetes client exists).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsIdentity {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Components serving self-signed certificates (controller manager, scheduler) are probed without verification. */
  readonly insecure?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

export function httpCall(
  url: string,
  options: { method?: string; body?: unknown; tls?: TlsIdentity; timeoutMs?: number; contentType?: string } = {},
): Promise<HttpResponse> {
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const base = { method: options.method ?? 'GET', headers, timeout: options.timeoutMs ?? 5000 };
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      target.protocol === 'https:'
        ? httpsRequest(
            target,
            {
              ...base,
              ca: options.tls?.ca,
              cert: options.tls?.cert,
              key: options.tls?.key,
              rejectUnauthorized: !options.tls?.insecure,
            },
            onResponse,
          )
        : httpRequest(target, base, onResponse);
    req.on('timeout', () => req.destroy(new Error(`${base.method} ${url} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
