// How a pod's server tells an HTTP client from a Layer 4 probe by its first bytes (table-driven);
// the server itself is exercised over real sockets in probe.test.ts.
import { strict as assert } from 'node:assert';
import { openingOf } from './http-echo.js';

describe('a pod server\'s first bytes from a client', () => {
  const cases: Array<[string, ReturnType<typeof openingOf>]> = [
    ['GET /v2?animal=whale HTTP/1.1\r\nHost: a\r\n\r\n', 'http'],
    ['get / HTTP/1.0\n', 'http'],
    ['M-SEARCH * HTTP/1.1\r\n', 'http'],
    ['GET http://example.org/x HTTP/1.1\r\n', 'http'],
    ['\n', 'other'], // the Layer 4 prober's greeting
    ['\r\n', 'other'],
    ['hello there\r\n', 'other'],
    ['GET /\r\n', 'other'], // HTTP/0.9 has no version
    ['GET / HTTP/2.0\r\n', 'other'],
    ['GET  / HTTP/1.1\r\n', 'other'],
    ['\x16\x03\x01\x02\x00', 'other'], // a TLS ClientHello
    ['{"a":1}', 'other'],
    ['', 'undecided'],
    ['GE', 'undecided'],
    ['GET ', 'undecided'],
    ['GET /long/pa', 'undecided'],
    ['GET / HTT', 'undecided'],
    ['GET / HTTP/1.1\r', 'undecided'],
    ['GET / HTTP/1.1x', 'other'],
    ['A'.repeat(33), 'other'],
  ];
  for (const [bytes, want] of cases) {
    it(`${JSON.stringify(bytes)} is ${want}`, () => assert.equal(openingOf(Buffer.from(bytes, 'latin1')), want));
  }

  it('leaves a request line longer than any it waits for to node:http', () => {
    assert.equal(openingOf(Buffer.from(`GET /${'a'.repeat(16 * 1024)}`)), 'http');
  });
});
