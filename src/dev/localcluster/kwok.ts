// The node simulator's configuration: kwok Stages (how fake kubelets move nodes and pods through their lifecycle)
// and the fake Node objects it manages.
//
// Pods on a simulated node get an IP and reach Running, and stay Running. A test (or the Spark simulator) drives a
// pod to its end by annotating it:
//   sim.sparkop.dev/exit-code: "0"    → every container terminates with that code; 0 → Succeeded, else Failed
//   sim.sparkop.dev/run-duration: "3s" → optional; how long the pod keeps running after it is annotated (Go duration)
import { stringify } from 'yaml';

export const SIM_EXIT_CODE_ANNOTATION = 'sim.sparkop.dev/exit-code';
export const SIM_RUN_DURATION_ANNOTATION = 'sim.sparkop.dev/run-duration';
export const SIM_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const SIM_NODE_LABEL = 'sparkop.dev/simulated-node';

interface Stage {
  readonly apiVersion: 'kwok.x-k8s.io/v1alpha1';
  readonly kind: 'Stage';
  readonly metadata: { readonly name: string };
  readonly spec: Record<string, unknown>;
}

function stage(name: string, spec: Record<string, unknown>): Stage {
  return { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec };
}

const notDeleted = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };

// Go templates, rendered by kwok against the object (as JSON) into a status patch.
// A node holds 1000 pods, and CPU and memory enough for 1000 Spark pods of 1 core and up to 4 GiB: the pod count is
// the only limit. With 64 CPUs per node, a test's burst of drivers (1 core each) filled the CPUs and left other
// tests' new pods unschedulable, Pending until the scheduler's retry minutes later.
const NODE_STATUS = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
addresses:
- address: {{ NodeIP | Quote }}
  type: InternalIP
- address: {{ .metadata.name | Quote }}
  type: Hostname
allocatable:
  cpu: "1000"
  memory: 4Ti
  pods: "1000"
capacity:
  cpu: "1000"
  memory: 4Ti
  pods: "1000"
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: ""
  osImage: simulated
  machineID: ""
  systemUUID: ""
  bootID: ""
phase: Running
`;

const POD_RUNNING = `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: PodScheduled
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: ContainersReady
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Ready
{{ range .spec.readinessGates }}
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: {{ .conditionType | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  imageID: {{ printf "sim://%s" .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Running
startTime: {{ $now | Quote }}
`;

const POD_TERMINATED = `{{ $now := Now }}
{{ $code := index .metadata.annotations "${SIM_EXIT_CODE_ANNOTATION}" }}
{{ $started := or .status.startTime $now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  reason: PodCompleted
  status: "False"
  type: ContainersReady
- lastTransitionTime: {{ $now | Quote }}
  reason: PodCompleted
  status: "False"
  type: Ready
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  imageID: {{ printf "sim://%s" .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: {{ $code }}
      reason: {{ if eq $code "0" }}Completed{{ else }}Error{{ end }}
      startedAt: {{ $started | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
phase: {{ if eq $code "0" }}Succeeded{{ else }}Failed{{ end }}
`;

export function kwokStages(): Stage[] {
  return [
    stage('node-initialize', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: {
        matchExpressions: [
          { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] },
        ],
      },
      next: { statusTemplate: NODE_STATUS },
    }),
    // Node liveness goes through the node Lease (kwok renews it); a slow status heartbeat keeps conditions fresh.
    stage('node-heartbeat', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: {
        matchExpressions: [
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'In', values: ['True'] },
        ],
      },
      delay: { durationMilliseconds: 60_000, jitterDurationMilliseconds: 70_000 },
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('pod-running', {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: [notDeleted, { key: '.status.podIP', operator: 'DoesNotExist' }] },
      next: { statusTemplate: POD_RUNNING },
    }),
    stage('pod-terminated-on-request', {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: {
        matchExpressions: [
          notDeleted,
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: `.metadata.annotations["${SIM_EXIT_CODE_ANNOTATION}"]`, operator: 'Exists' },
        ],
      },
      delay: {
        durationMilliseconds: 0,
        durationFrom: { expressionFrom: `.metadata.annotations["${SIM_RUN_DURATION_ANNOTATION}"]` },
      },
      next: { statusTemplate: POD_TERMINATED },
    }),
    // What a kubelet does once the grace period is over: drop finalizers it owns and remove the pod.
    stage('pod-delete', {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      next: { finalizers: { empty: true }, delete: true },
    }),
  ];
}

export function kwokConfigYaml(): string {
  return kwokStages()
    .map((s) => stringify(s, { lineWidth: 0 }))
    .join('---\n');
}

/** Taint of simulated nodes in a cluster with a real node: pods go to the real node unless they tolerate it. */
export const SIM_NODE_TAINT = { key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' } as const;

export function simulatedNode(name: string, options: { tainted?: boolean } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [SIM_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [SIM_NODE_LABEL]: 'true',
      },
    },
    spec: options.tainted ? { taints: [SIM_NODE_TAINT] } : {},
  };
}
