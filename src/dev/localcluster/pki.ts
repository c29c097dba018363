// The local control plane's PKI, made as a real cluster's would be: one CA, a serving certificate for the API
// server, client certificates per component (identities that the bootstrap RBAC policy knows), and the
// service-account token signing key. ECDSA P-256 keeps generation in the milliseconds.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the reflect-metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALIDITY_DAYS = 365;

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export interface ClusterPki {
  readonly ca: PemPair;
  /** Serving certificate of kube-apiserver (SANs: loopback, localhost and the in-cluster service names). */
  readonly apiserver: PemPair;
  /** system:masters client: the kubeconfig handed to users and tests. */
  readonly admin: PemPair;
  readonly controllerManager: PemPair;
  readonly scheduler: PemPair;
  /** The node simulator acts for the kubelets it fakes; it needs to write any pod's status, so it is an admin too. */
  readonly nodeSimulator: PemPair;
  /** Signs service-account tokens (kube-apiserver) and is used by the controller manager's token controller. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  /** With a real node: its kubelet's identity (system:node:<name> in system:nodes, for the Node authorizer). */
  readonly kubelet?: PemPair;
  /** With a real node: CoreDNS's identity (it reads Services, EndpointSlices, Pods, Namespaces; an admin like kwok). */
  readonly clusterDns?: PemPair;
}

type Keys = webcrypto.CryptoKeyPair;

async function newKeys(): Promise<Keys> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as Keys;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function publicKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('spki', key);
  return x509.PemConverter.encode(der, 'PUBLIC KEY');
}

function validity(): { notBefore: Date; notAfter: Date } {
  // A minute of slack before "now" tolerates small clock differences between processes.
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 86_400_000);
  return { notBefore, notAfter };
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

interface LeafOptions {
  readonly subject: string;
  readonly server?: { dnsNames: readonly string[]; ips: readonly string[] };
  readonly client?: boolean;
}

async function issue(ca: { cert: x509.X509Certificate; keys: Keys }, options: LeafOptions): Promise<PemPair> {
  const keys = await newKeys();
  const usages: string[] = [];
  if (options.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (options.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (options.server) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...options.server.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...options.server.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: options.subject,
    issuer: ca.cert.subject,
    ...validity(),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** Generates a fresh PKI for one control-plane instance. `serviceIp` is the first address of the service range. */
export async function generatePki(serviceIp: string, options: { realNode?: string } = {}): Promise<ClusterPki> {
  const caKeys = await newKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=sparkop-local-ca',
    ...validity(),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { cert: caCert, keys: caKeys };
  const saKeys = await newKeys();
  const [apiserver, admin, controllerManager, scheduler, nodeSimulator] = await Promise.all([
    issue(ca, {
      subject: 'CN=kube-apiserver',
      server: {
        dnsNames: [
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
        ],
        ips: ['127.0.0.1', '::1', serviceIp],
      },
    }),
    issue(ca, { subject: 'CN=sparkop-admin, O=system:masters', client: true }),
    issue(ca, { subject: 'CN=system:kube-controller-manager', client: true }),
    issue(ca, { subject: 'CN=system:kube-scheduler', client: true }),
    issue(ca, { subject: 'CN=sparkop-node-simulator, O=system:masters', client: true }),
  ]);
  const realNode = options.realNode
    ? {
        kubelet: await issue(ca, { subject: `CN=system:node:${options.realNode}, O=system:nodes`, client: true }),
        clusterDns: await issue(ca, { subject: 'CN=sparkop-coredns, O=system:masters', client: true }),
      }
    : {};
  return {
    ...realNode,
    ca: { cert: caCert.toString('pem'), key: await privateKeyPem(caKeys.privateKey) },
    apiserver,
    admin,
    controllerManager,
    scheduler,
    nodeSimulator,
    serviceAccountKey: await privateKeyPem(saKeys.privateKey),
    serviceAccountPublicKey: await publicKeyPem(saKeys.publicKey),
  };
}
