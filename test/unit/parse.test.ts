import { type Response } from 'got';
import { z } from 'zod';
import { type ApplicationFailure } from '@temporalio/common';
import { parseJsonBody, snippet, tryJson } from '../../activities/http/parse';
import { PROVIDER_PROTOCOL_ERROR } from '../../common/errors';

// parseJsonBody reads only body and statusCode; a whole got Response is not needed to test that.
const response = (body: string, statusCode = 200) => ({ body, statusCode }) as Response<string>;

const Schema = z.object({ status: z.enum(['active', 'cancelled']), plan: z.object({ id: z.string() }) });

function failureOf(call: () => unknown): ApplicationFailure {
  try {
    call();
  } catch (err) {
    return err as ApplicationFailure;
  }
  throw new Error('expected a failure');
}

describe('parseJsonBody', () => {
  test('returns the parsed, schema-checked body', () => {
    const body = JSON.stringify({ status: 'active', plan: { id: 'p1' }, extra: 1 });
    expect(parseJsonBody('rebilly', 'read', response(body), Schema)).toEqual({
      status: 'active',
      plan: { id: 'p1' },
    });
  });

  test('a body that is not JSON is a protocol failure that quotes it', () => {
    const f = failureOf(() =>
      parseJsonBody('rebilly', 'read', response('<html>\n  Bad gateway </html>', 502), Schema),
    );
    expect(f.type).toBe(PROVIDER_PROTOCOL_ERROR);
    expect(f.message).toBe(
      'rebilly read: unexpected answer (HTTP 502): body is not JSON: <html> Bad gateway </html>',
    );
  });

  test('a body of the wrong shape names the first offending path', () => {
    const f = failureOf(() =>
      parseJsonBody(
        'rebilly',
        'read',
        response(JSON.stringify({ status: 'active', plan: { id: 7 } })),
        Schema,
      ),
    );
    expect(f.type).toBe(PROVIDER_PROTOCOL_ERROR);
    expect(f.message).toMatch(
      /^rebilly read: unexpected answer \(HTTP 200\): plan\.id: Invalid input: expected string/,
    );
  });

  test('a wrong top-level value is reported as the body', () => {
    const f = failureOf(() => parseJsonBody('payway', 'cancel', response('[]', 201), Schema));
    expect(f.message).toMatch(
      /^payway cancel: unexpected answer \(HTTP 201\): body: Invalid input: expected object/,
    );
  });
});

describe('tryJson', () => {
  test('parses JSON and gives undefined for anything else', () => {
    expect(tryJson('{"error":"x"}')).toEqual({ error: 'x' });
    expect(tryJson('Internal Server Error')).toBeUndefined();
  });
});

describe('snippet', () => {
  test('flattens whitespace and trims', () => {
    expect(snippet('  a\n\tb   c  ')).toBe('a b c');
  });
  test('shortens past the limit with an ellipsis, and not at the limit', () => {
    expect(snippet('x'.repeat(201))).toBe(`${'x'.repeat(200)}…`);
    expect(snippet('x'.repeat(200))).toBe('x'.repeat(200));
    expect(snippet('abcdef', 3)).toBe('abc…');
    expect(snippet('abc', 3)).toBe('abc');
  });
  test('says when the body is empty', () => {
    expect(snippet('')).toBe('(empty body)');
    expect(snippet(' \n ')).toBe('(empty body)');
  });
});
