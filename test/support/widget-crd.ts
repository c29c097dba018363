// A small test CRD, Widget (spec.size ≥ 1, spec.tags, a status subresource), in a group of its own: CRDs are
// cluster-scoped, so each test that installs one gets a fresh random group and removes it afterwards.
import { randomBytes } from 'node:crypto';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';

export function widgetGroup(): string {
  return `t${randomBytes(4).toString('hex')}.sparkop.dev`;
}

export function widgetCrd(group: string): V1CustomResourceDefinition & { metadata: { name: string } } {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    tags: { type: 'array', items: { type: 'string' } },
                  },
                },
                status: { type: 'object', properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}
