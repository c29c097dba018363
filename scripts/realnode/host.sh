#!/usr/bin/env bash
# The host side of the local cluster's real node: its pod network and what the kubelet and containerd leave on the
# machine. One real node runs per machine; its host state lives in $RUN_DIR (tmpfs, gone with a reboot, as is
# everything it describes).
#   host.sh setup APISERVER_PORT   bridge, route to the API server, saved kernel settings
#   host.sh restore-sysctls         put back the kernel settings the kubelet changed at its start
#   host.sh teardown [KUBELET_ROOT] kill the node's containers, unmount, remove rules, bridge, netns, cgroups, settings
# teardown is idempotent and is also what the next start runs after a crash.
set -euo pipefail

RUN_DIR=/run/sparkop-realnode
BRIDGE=spk0
GATEWAY=10.88.0.1
POD_CIDR=10.88.0.0/16
SERVICE_IP=10.96.0.1
RULE_COMMENT=sparkop-realnode
# Kernel settings the kubelet (at start) and the bridge plugin change without asking; saved before, restored after.
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward)

log() { printf '[realnode] %s\n' "$*" >&2; }

setup() {
  local port="$1"
  mkdir -p "$RUN_DIR"
  if [ ! -f "$RUN_DIR/sysctls.saved" ]; then
    for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$RUN_DIR/sysctls.saved"
  fi
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$GATEWAY/16" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Pods reach the API server, which listens on loopback only, at the `kubernetes` Service's address: traffic from
  # the bridge to $SERVICE_IP:443 is rewritten to the loopback port (route_localnet lets such packets be routed).
  sysctl -qw "net.ipv4.conf.$BRIDGE.route_localnet=1"
  iptables -t nat -C PREROUTING -i "$BRIDGE" -d "$SERVICE_IP" -p tcp --dport 443 -m comment --comment "$RULE_COMMENT" \
    -j DNAT --to-destination "127.0.0.1:$port" 2>/dev/null ||
    iptables -t nat -I PREROUTING -i "$BRIDGE" -d "$SERVICE_IP" -p tcp --dport 443 -m comment --comment "$RULE_COMMENT" \
      -j DNAT --to-destination "127.0.0.1:$port"
  log "pod network: bridge $BRIDGE $GATEWAY ($POD_CIDR), $SERVICE_IP:443 → 127.0.0.1:$port"
}

restore_sysctls() {
  [ -f "$RUN_DIR/sysctls.saved" ] || return 0
  while IFS='=' read -r key value; do
    [ "$(sysctl -n "$key")" = "$value" ] || { sysctl -qw "$key=$value" && log "restored $key=$value"; }
  done <"$RUN_DIR/sysctls.saved"
}

# Every process in the node's pod cgroups (containers, even ones whose shim is gone), then the shims.
kill_pods() {
  local pids
  pids="$(find /sys/fs/cgroup -path '*/kubepods*' -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u || true)"
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  pids="$(pgrep -f "containerd-shim.*-address $RUN_DIR/" || true)"
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
}

remove_iptables() {
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat mangle; do
      # Rules that jump to the kubelet's KUBE-* chains from the built-in chains, and our own rule.
      "$ipt" -t "$table" -S 2>/dev/null | { grep -E -- "-j KUBE-|--comment \"?$RULE_COMMENT" || true; } | { grep '^-A' || true; } |
        while read -r _ chain rest; do eval "$ipt -t $table -D $chain $rest" 2>/dev/null || true; done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -nE 's/^-N (KUBE-[A-Z0-9-]+)$/\1/p'); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -nE 's/^-N (KUBE-[A-Z0-9-]+)$/\1/p'); do
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

remove_cgroups() {
  # Deepest first: a cgroup directory can only be removed once its children are.
  find /sys/fs/cgroup -depth -type d \( -path '*/kubepods*' -o -path '*/k8s.io*' \) -exec rmdir {} + 2>/dev/null || true
}

teardown() {
  # Nothing of a real node is on the machine without its run directory (created first, removed last).
  [ -d "$RUN_DIR" ] || return 0
  local kubelet_root="${1:-}"
  [ -n "$kubelet_root" ] || kubelet_root="$(cat "$RUN_DIR/kubelet-root" 2>/dev/null || true)"
  kill_pods
  # Network namespaces of the node's pods (containerd names them cni-…, pinned under /run/netns).
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/{print $1}'); do ip netns delete "$ns" 2>/dev/null || true; done
  for veth in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  # Mounts of the kubelet (volumes, tokens) and of containerd (rootfs, shm), deepest first.
  for prefix in "$kubelet_root" "$RUN_DIR"; do
    [ -n "$prefix" ] || continue
    # The kubelet also bind-mounts its root directory onto itself (shared propagation): that mount goes last.
    findmnt -rn -o TARGET | awk -v p="$prefix" '$0 == p || index($0, p "/") == 1' | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  done
  remove_iptables
  remove_cgroups
  restore_sysctls
  rm -rf "$RUN_DIR"
}

case "${1:-}" in
  setup) setup "${2:?usage: host.sh setup APISERVER_PORT}" ;;
  restore-sysctls) restore_sysctls ;;
  teardown) teardown "${2:-}" ;;
  *) echo "usage: host.sh setup PORT | restore-sysctls | teardown [KUBELET_ROOT]" >&2; exit 2 ;;
esac
