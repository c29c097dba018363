// What `npm start` prints once the embedded control plane and the operator run: how to reach them from another shell.

export interface BannerInput {
  readonly kubernetesVersion: string;
  readonly kubeconfigPath: string;
  readonly kubectlDir: string;
  readonly example: string;
  /** The control plane has a real node: drivers run real Spark (--real-spark). */
  readonly realSpark?: boolean;
}

export function embeddedBanner(input: BannerInput): string {
  return [
    '',
    `sparkop is running on the embedded local control plane (Kubernetes ${input.kubernetesVersion}, ${input.realSpark ? 'a real node running real Spark' : 'simulated nodes'}).`,
    'In another shell:',
    '',
    `  export KUBECONFIG=${input.kubeconfigPath}`,
    `  export PATH=${input.kubectlDir}:$PATH   # kubectl`,
    `  npx sparkctl create -f ${input.example}`,
    '  npx sparkctl list -w        # SUBMITTED → RUNNING → COMPLETED (or: kubectl get sparkapp -w)',
    '  npx sparkctl status spark-pi',
    ...(input.realSpark
      ? [
          "  npx sparkctl logs spark-pi | grep 'Pi is roughly'",
          '',
          'Drivers and executors run real Spark on the real node.',
        ]
      : [
          '',
          'Drivers run for 3 s and exit 0 unless the SparkApplication says otherwise',
          '(annotations sim.sparkop.dev/driver-run-duration and sim.sparkop.dev/driver-exit-code).',
        ]),
    'Press Ctrl-C to stop the operator and the control plane.',
    '',
  ].join('\n');
}
