// The kinds the SparkApplication controller reads and writes, typed once.
import type { V1ConfigMap, V1Ingress, V1Pod, V1Service } from '@kubernetes/client-node';
import { API_GROUP_VERSION, SPARK_APPLICATION_KIND } from '../../api/constants.ts';
import type { SparkApplication } from '../../api/index.ts';
import { type KubeObject, kind } from '../../runtime/index.ts';

export { APP_NAME_LABEL, LAUNCHED_BY_LABEL, SPARK_ROLE_LABEL } from '../../api/vocabulary.ts';

export type SparkApplicationObject = SparkApplication & KubeObject;

export const SparkApplications = kind<SparkApplicationObject>(API_GROUP_VERSION, SPARK_APPLICATION_KIND);
export const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
export const Services = kind<V1Service & KubeObject>('v1', 'Service');
export const ConfigMaps = kind<V1ConfigMap & KubeObject>('v1', 'ConfigMap');
export const Ingresses = kind<V1Ingress & KubeObject>('networking.k8s.io/v1', 'Ingress');
