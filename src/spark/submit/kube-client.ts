// SubmissionClient over @kubernetes/client-node's CoreV1Api (used by the CLI, the operator and the tests).
import type { CoreV1Api } from '@kubernetes/client-node';
import { AlreadyExistsError, type SubmissionClient } from './contract.ts';

function mapConflict(err: unknown): never {
  if (typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 409) {
    throw new AlreadyExistsError('already exists', { cause: err });
  }
  throw err;
}

export function coreSubmissionClient(core: CoreV1Api): SubmissionClient {
  return {
    createPod: (namespace, body) => core.createNamespacedPod({ namespace, body }).catch(mapConflict),
    readPod: (namespace, name) => core.readNamespacedPod({ namespace, name }),
    createService: (namespace, body) => core.createNamespacedService({ namespace, body }).catch(mapConflict),
    createConfigMap: (namespace, body) => core.createNamespacedConfigMap({ namespace, body }).catch(mapConflict),
  };
}
