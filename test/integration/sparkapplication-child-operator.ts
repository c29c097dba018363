// A minimal operator process for the kill -9 test: a Manager with the SparkApplication controller, scoped to one
// namespace. Usage: node sparkapplication-child-operator.ts <kubeconfig> <namespace>. Prints "ready" once started.
import { KubeConfig } from '@kubernetes/client-node';
import {
  cacheScopes,
  DEFAULT_CONTROLLER_SETTINGS,
  registerSparkApplicationController,
} from '../../src/controllers/sparkapplication/index.ts';
import { Cache, Manager, newClient, newRegistry } from '../../src/runtime/index.ts';

const [kubeconfigPath, namespace] = process.argv.slice(2);
if (!kubeconfigPath || !namespace)
  throw new Error('usage: sparkapplication-child-operator.ts <kubeconfig> <namespace>');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const settings = { ...DEFAULT_CONTROLLER_SETTINGS, namespaces: [namespace], controllerThreads: 10 };
const registry = newRegistry();
const cache = new Cache({ kubeConfig, scopes: cacheScopes(settings), metrics: registry });
const client = newClient({ kubeConfig, cache, metrics: registry });
const manager = new Manager({ cache, client, registry, gracefulShutdownTimeoutMs: 2000 });
registerSparkApplicationController(manager, settings);
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
const run = manager.start(abort.signal);
console.log('ready');
await run;
