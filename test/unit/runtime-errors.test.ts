// Status bodies become typed errors; helpers branch on them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AlreadyExistsError,
  ApiError,
  apiErrorFrom,
  ConflictError,
  ForbiddenError,
  GoneError,
  InternalError,
  InvalidError,
  ignoreAlreadyExists,
  ignoreNotFound,
  isConflict,
  isGone,
  isNotFound,
  isTransient,
  NotFoundError,
  notFound,
  ServerTimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../src/runtime/errors.ts';

const request = { method: 'PUT', path: '/api/v1/namespaces/x/configmaps/y' };

describe('API errors', () => {
  test('each reason maps to its class, keeping code, reason and request', () => {
    const cases: [number, string, new (...a: never[]) => ApiError][] = [
      [404, 'NotFound', NotFoundError],
      [409, 'AlreadyExists', AlreadyExistsError],
      [409, 'Conflict', ConflictError],
      [422, 'Invalid', InvalidError],
      [429, 'TooManyRequests', TooManyRequestsError],
      [410, 'Expired', GoneError],
      [410, 'Gone', GoneError],
      [403, 'Forbidden', ForbiddenError],
      [401, 'Unauthorized', UnauthorizedError],
      [504, 'Timeout', ServerTimeoutError],
      [500, 'InternalError', InternalError],
    ];
    for (const [code, reason, Class] of cases) {
      const err = apiErrorFrom(code, JSON.stringify({ kind: 'Status', code, reason, message: `m ${reason}` }), request);
      assert.ok(err instanceof Class, `${reason} → ${Class.name}, got ${err.name}`);
      assert.equal(err.code, code);
      assert.equal(err.reason, reason);
      assert.equal(err.message, `PUT /api/v1/namespaces/x/configmaps/y: m ${reason}`);
      assert.deepEqual(err.request, request);
    }
  });

  test('Invalid carries the field causes', () => {
    const body = {
      kind: 'Status',
      code: 422,
      reason: 'Invalid',
      message: 'Widget.x "w" is invalid: spec.size: Invalid value: 0: spec.size in body should be >= 1',
      details: {
        name: 'w',
        kind: 'Widget',
        causes: [{ reason: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: 0' }],
      },
    };
    const err = apiErrorFrom(422, JSON.stringify(body));
    assert.ok(err instanceof InvalidError);
    assert.deepEqual(err.causes, [{ reason: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: 0' }]);
  });

  test('a body that is not a Status falls back to the HTTP code, keeping the text', () => {
    const err = apiErrorFrom(503, 'upstream connect error', request, 3);
    assert.equal(err.reason, 'ServiceUnavailable');
    assert.equal(err.retryAfterSeconds, 3);
    assert.match(err.message, /upstream connect error/);
    assert.ok(isTransient(err));
    const odd = apiErrorFrom(418, '');
    assert.equal(odd.constructor, ApiError);
    assert.equal(odd.reason, 'Unknown');
  });

  test('a watch ERROR event Status (object, not text) parses too; its code wins over the HTTP one', () => {
    const err = apiErrorFrom(200, {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 1 (5)',
    });
    assert.ok(isGone(err));
    assert.equal(err.code, 410);
  });

  test('retryAfterSeconds comes from details when no header', () => {
    const err = apiErrorFrom(
      429,
      JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } }),
    );
    assert.equal(err.retryAfterSeconds, 7);
  });

  test('helpers: is*, ignoreNotFound, ignoreAlreadyExists', async () => {
    const nf = notFound('ConfigMap', 'x');
    assert.ok(isNotFound(nf));
    assert.equal(nf.code, 404);
    assert.equal(await Promise.reject(nf).catch(ignoreNotFound), undefined);
    const conflict = apiErrorFrom(409, { kind: 'Status', code: 409, reason: 'Conflict' });
    assert.ok(isConflict(conflict));
    await assert.rejects(Promise.reject(conflict).catch(ignoreNotFound), ConflictError);
    const exists = apiErrorFrom(409, { kind: 'Status', code: 409, reason: 'AlreadyExists' });
    assert.equal(await Promise.reject(exists).catch(ignoreAlreadyExists), undefined);
    await assert.rejects(Promise.reject(nf).catch(ignoreAlreadyExists), NotFoundError);
    assert.ok(!isNotFound(new Error('x')));
  });
});
