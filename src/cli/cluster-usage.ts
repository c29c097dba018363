// The help of `sparkctl cluster`, apart from the command, which loads the local control plane (src/dev/) only when run.
export const CLUSTER_USAGE = `Usage: sparkctl cluster <up|down|status> [--name NAME] [--nodes N] [--real-node] [--all]

  up       build (once, cached) and start a local control plane in the background:
           etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (simulated nodes)
  down     stop it and remove its state (--all: every instance)
  status   list instances and whether their API server is ready

  --name NAME   instance name (default "default"); several instances can run at once
  --nodes N     simulated nodes (default 2)
  --real-node   also a real node: kubelet, containerd and CoreDNS running real containers, with Spark images
                built locally (needs root; one per machine); the simulated nodes are then tainted
                kwok.x-k8s.io/node=fake:NoSchedule, so pods run on the real node unless they tolerate it
  State lives under $SPARKOP_STATE_DIR, else $XDG_STATE_HOME/sparkop/clusters (~/.local/state/sparkop/clusters).`;
