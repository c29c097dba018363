import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { generatePki } from '../../src/dev/localcluster/pki.ts';

test('the PKI issues certificates a real cluster would accept', async () => {
  const pki = await generatePki('10.96.0.1');
  const ca = new X509Certificate(pki.ca.cert);
  assert.equal(ca.ca, true);
  for (const [name, pair] of Object.entries({
    apiserver: pki.apiserver,
    admin: pki.admin,
    controllerManager: pki.controllerManager,
  })) {
    const cert = new X509Certificate(pair.cert);
    assert.equal(cert.ca, false, `${name} is a leaf`);
    assert.ok(cert.checkIssued(ca), `${name} is issued by the CA`);
    assert.ok(cert.verify(ca.publicKey), `${name} carries the CA's signature`);
    assert.ok(cert.checkPrivateKey(createPrivateKey(pair.key)), `${name} matches its key`);
  }
  const serving = new X509Certificate(pki.apiserver.cert);
  assert.ok(serving.checkIP('127.0.0.1'));
  assert.ok(serving.checkIP('10.96.0.1'));
  assert.ok(serving.checkHost('kubernetes.default.svc'));
  assert.equal(serving.checkHost('example.com'), undefined);
  assert.deepEqual(new X509Certificate(pki.admin.cert).keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth
  assert.match(new X509Certificate(pki.admin.cert).subject, /O=system:masters/);
  assert.match(new X509Certificate(pki.controllerManager.cert).subject, /CN=system:kube-controller-manager/);

  // The service-account key pair signs and verifies (ES256 tokens).
  const data = Buffer.from('token');
  const signature = sign('sha256', data, createPrivateKey(pki.serviceAccountKey));
  assert.ok(verify('sha256', data, createPublicKey(pki.serviceAccountPublicKey), signature));
});

test('every instance gets its own CA', async () => {
  const [a, b] = await Promise.all([generatePki('10.96.0.1'), generatePki('10.96.0.1')]);
  assert.notEqual(a.ca.cert, b.ca.cert);
  assert.equal(new X509Certificate(a.admin.cert).checkIssued(new X509Certificate(b.ca.cert)), false);
});
