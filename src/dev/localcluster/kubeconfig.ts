// The kubeconfig files of the local cluster: one cluster, one user with a client certificate, one context.
import { stringify } from 'yaml';
import type { PemPair } from './pki.ts';

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

export function kubeconfigYaml(input: {
  name: string;
  server: string;
  user: string;
  ca: string;
  client: PemPair;
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: input.name, cluster: { server: input.server, 'certificate-authority-data': b64(input.ca) } }],
    users: [
      {
        name: input.user,
        user: { 'client-certificate-data': b64(input.client.cert), 'client-key-data': b64(input.client.key) },
      },
    ],
    contexts: [{ name: input.name, context: { cluster: input.name, user: input.user } }],
    'current-context': input.name,
  });
}
