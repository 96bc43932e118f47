import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { InvalidRequestError } from '../../client/errors';
import { checkCancellationRequest, parseCancellationRequest } from '../../common/validation';

// The callbackUrl rule (common/callbacks.ts) as the client and workflow apply it, and as the
// committed JSON Schema carries it for other languages.

const schema = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../schema/cancellation-request.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const request = (callbackUrl: unknown) => ({
  requestId: 'cb-1',
  provider: 'rebilly',
  target: { orderId: 'ord-1' },
  timing: { mode: 'immediate' },
  callbackUrl,
});

describe('callbackUrl', () => {
  test.each([
    'https://hooks.example.com/cancellations',
    'https://hooks.example.com:8443/c?tenant=7#x',
    'http://127.0.0.1:4000/hooks',
    'http://127.8.9.10/',
    'http://localhost:3000',
    'http://[::1]:8080/hooks',
  ])('%s is accepted by the code and by the JSON Schema', (url) => {
    expect(checkCancellationRequest(request(url), Date.now())).toMatchObject({ ok: true });
    expect(validate(request(url))).toBe(true);
  });

  test.each([
    'http://example.com/hooks', // http to a host that is not loopback
    'http://localhost.example.com/', // looks like localhost, is not
    'http://127.0.0.1.nip.io/', // likewise
    'http://localhost@example.com/', // userinfo trick: the host is example.com
    'https://user:secret@example.com/', // a credential would be kept in the run's input
    'ftp://example.com/',
    'example.com/hooks',
    '',
  ])('%s is refused by the code, naming callbackUrl, and by the JSON Schema', (url) => {
    const checked = checkCancellationRequest(request(url), Date.now());
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues[0]?.field).toBe('callbackUrl');
    expect(validate(request(url))).toBe(false);
  });

  test('the client refuses http://example.com with an InvalidRequestError naming callbackUrl', () => {
    const err = (() => {
      try {
        parseCancellationRequest(request('http://example.com'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).field).toBe('callbackUrl');
    expect((err as Error).message).toContain('callbackUrl');
  });

  test('it is optional', () => {
    const { callbackUrl: _, ...without } = request('x');
    expect(checkCancellationRequest(without, Date.now())).toMatchObject({ ok: true });
    expect(validate(without)).toBe(true);
  });
});
