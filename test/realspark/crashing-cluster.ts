// A control plane with the real node in a process of its own, for the cleanup test: prints "ready <kubeconfig>" and
// runs until it is killed (its control-plane processes die with it; the node's containers and host state do not).
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';

const cluster = await LocalCluster.start({ name: `crashing-${process.pid}`, realNode: true, nodes: 0 });
console.log(`ready ${cluster.kubeconfigPath}`);
setInterval(() => {}, 60_000);
