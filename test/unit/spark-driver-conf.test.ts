import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SparkConfError } from '../../src/spark/quantities.ts';
import { driverConf, sparkPi } from './spark-fixtures.ts';

describe('driver settings resolved up front', () => {
  test('memory overhead: 10% with a 384 MiB floor for JVM apps', () => {
    assert.equal(driverConf(sparkPi({ driver: { memory: '512m' } })).memoryOverheadMiB, 384);
    assert.equal(driverConf(sparkPi({ driver: { memory: '8g' } })).memoryOverheadMiB, 819);
  });
  test('memory overhead: 40% for Python apps, an explicit overhead wins over any factor', () => {
    const py = sparkPi({
      type: 'Python',
      mainClass: undefined,
      mainApplicationFile: 'local:///a.py',
      driver: { memory: '2g' },
    });
    assert.equal(driverConf(py).memoryOverheadMiB, 819);
    assert.equal(driverConf(py).defaultOverheadFactor, 0.4);
    assert.equal(
      driverConf(sparkPi({ memoryOverheadFactor: '0.5', driver: { memory: '2g', memoryOverhead: '100m' } }))
        .memoryOverheadMiB,
      100,
    );
    assert.equal(
      driverConf(sparkPi({ memoryOverheadFactor: '0.5', driver: { memory: '2g' } })).memoryOverheadMiB,
      1024,
    );
  });
  test('Spark 4 reads the overhead floor from spark.driver.minMemoryOverhead', () => {
    const app = sparkPi({ sparkVersion: '4.0.1', sparkConf: { 'spark.driver.minMemoryOverhead': '500m' } });
    assert.equal(driverConf(app).memoryOverheadMiB, 500);
    assert.equal(driverConf({ ...app, spec: { ...app.spec, sparkVersion: '3.5.8' } }).memoryOverheadMiB, 384);
  });
  test('core request wins over cores; driver image over the global one', () => {
    const conf = driverConf(sparkPi({ driver: { cores: 2, coreRequest: '500m', image: 'own:1' } }));
    assert.equal(conf.cpuRequest, '500m');
    assert.equal(conf.image, 'own:1');
  });
  test('reserved labels and malformed sizes fail naming the field', () => {
    assert.throws(
      () => driverConf(sparkPi({ driver: { labels: { 'spark-role': 'x' } } })),
      (e: unknown) => e instanceof SparkConfError && e.field === 'spark.kubernetes.driver.label.spark-role',
    );
    assert.throws(
      () => driverConf(sparkPi({ driver: { memory: 'lots' } })),
      /spark\.driver\.memory \(spec\.driver\.memory\)/,
    );
    assert.throws(() => driverConf(sparkPi({ image: undefined })), /spec\.image/);
  });
  test('the proxy user is SPARK_USER', () => {
    assert.equal(driverConf(sparkPi({ proxyUser: 'alice' })).sparkUser, 'alice');
  });
});
