// The HTTP prober's request and response parsing (RFC 9112 framing, table-driven), then HTTP
// probes through runBatch against real HTTP servers on loopback that are not pod echo servers:
// node:http answering 404, a 301 with Location, a chunked body, HEAD; raw servers answering
// garbage, nothing, or half an answer.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { answerOf, encodeRequest, parseResponse, requestProblem, type ParsedResponse } from './http-client.js';
import { runBatch } from './probe-core.js';
import type { ProbeResult, ProbeTarget } from './protocol.js';

const GET = { method: 'GET', host: 'foo.example.com', path: '/v2?animal=whale', headers: { version: 'two' } };

describe('HTTP probe requests', () => {
  it('writes the request line, Host, the cell\'s headers and Connection: close, with the method as given', () => {
    assert.equal(encodeRequest({ ...GET, method: 'get', headers: { version: 'two', 'X-Trace': 'a b' } }).toString('latin1'),
      'get /v2?animal=whale HTTP/1.1\r\nHost: foo.example.com\r\nversion: two\r\nX-Trace: a b\r\nConnection: close\r\n\r\n');
    // RFC 9112 §3.2: without an authority the Host field is sent empty.
    assert.equal(encodeRequest({ method: 'GET', host: '', path: '/', headers: {} }).toString('latin1'), 'GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n');
  });

  const problems: Array<[string, unknown, RegExp | undefined]> = [
    ['a good request', GET, undefined],
    ['an empty host', { ...GET, host: '' }, undefined],
    ['no object', 'GET /', /must be an object/],
    ['a method with a space', { ...GET, method: 'GE T' }, /method "GE T" is not a token/],
    ['a path with a space', { ...GET, path: '/a b' }, /visible ASCII/],
    ['a path with a newline', { ...GET, path: '/a\r\nX: y' }, /visible ASCII/],
    ['a non-ASCII path', { ...GET, path: '/café' }, /percent-encode/],
    ['an empty path', { ...GET, path: '' }, /path/],
    ['a host with CRLF', { ...GET, host: 'a\r\nb' }, /host/],
    ['a header name with a colon', { ...GET, headers: { 'a:b': 'c' } }, /not a token/],
    ['a header value with CRLF', { ...GET, headers: { a: 'b\r\nc: d' } }, /value must be/],
    ['a Host header', { ...GET, headers: { Host: 'other' } }, /is set by netspec itself/],
    ['a Connection header', { ...GET, headers: { connection: 'keep-alive' } }, /is set by netspec itself/],
    ['a Content-Length header', { ...GET, headers: { 'Content-Length': '3' } }, /is set by netspec itself/],
    ['headers as a list', { ...GET, headers: ['a'] }, /headers must be a map/],
  ];
  for (const [what, request, problem] of problems) {
    it(`${problem ? 'refuses' : 'accepts'} ${what}`, () => {
      const got = requestProblem(request);
      if (problem) assert.match(String(got), problem);
      else assert.equal(got, undefined);
    });
  }
});

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

function complete(p: ParsedResponse): { status: number; body: string; headers: Array<[string, string]>; truncated: boolean } {
  assert.equal(p.kind, 'complete', JSON.stringify(p));
  const r = (p as Extract<ParsedResponse, { kind: 'complete' }>).response;
  return { status: r.status, body: r.body.toString('latin1'), headers: r.headers, truncated: r.truncated };
}

describe('HTTP response parsing (RFC 9112)', () => {
  const cases: Array<{ what: string; data: Buffer; method?: string; eof?: boolean; status?: number; body?: string; malformed?: RegExp; incomplete?: true }> = [
    { what: 'a Content-Length body', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 5', '', 'hello']), status: 200, body: 'hello' },
    { what: 'a Content-Length body with more after it (ignored)', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 2', '', 'hello']), status: 200, body: 'he' },
    { what: 'a repeated, equal Content-Length', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 2, 2', '', 'ok']), status: 200, body: 'ok' },
    { what: 'half a Content-Length body', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 5', '', 'hel']), incomplete: true },
    { what: 'half a Content-Length body, then the close', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 5', '', 'hel']), eof: true, malformed: /closed after 3 of 5 body bytes/ },
    { what: 'a chunked body with an extension and trailers', data: crlf(['HTTP/1.1 404 Not Found', 'Transfer-Encoding: chunked', '', '4;name=v', 'nope', '3', ', x', '0', 'Trailer-A: 1', '', '']), status: 404, body: 'nope, x' },
    { what: 'a chunked body still to end', data: crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '4', 'nope', '']), incomplete: true },
    { what: 'a chunked body cut by the close', data: crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '4', 'no']), eof: true, malformed: /inside a chunked body/ },
    { what: 'a bad chunk size', data: crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', 'zz', '']), malformed: /bad chunk size/ },
    { what: 'chunk data longer than its size', data: crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '2', 'abc', '0', '', '']), malformed: /not followed by CRLF/ },
    { what: 'Transfer-Encoding over Content-Length', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 100', 'Transfer-Encoding: chunked', '', '2', 'ok', '0', '', '']), status: 200, body: 'ok' },
    { what: 'a body up to the close (HAProxy\'s error pages)', data: crlf(['HTTP/1.1 503 Service Unavailable', 'content-type: text/html', '', '<html>503</html>']), eof: true, status: 503, body: '<html>503</html>' },
    { what: 'a body up to the close, still open', data: crlf(['HTTP/1.1 503 Service Unavailable', '', '<html>']), incomplete: true },
    { what: 'no body after HEAD', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 50', '', '']), method: 'HEAD', status: 200, body: '' },
    { what: 'no body with 204', data: crlf(['HTTP/1.1 204 No Content', '', '']), status: 204, body: '' },
    { what: 'no body with 304', data: crlf(['HTTP/1.1 304 Not Modified', 'Content-Length: 9', '', '']), status: 304, body: '' },
    { what: 'an interim 100 Continue, then the answer', data: crlf(['HTTP/1.1 100 Continue', '', 'HTTP/1.1 201 Created', 'Content-Length: 0', '', '']), status: 201, body: '' },
    { what: 'bare LF line ends, no reason phrase, HTTP/1.0', data: Buffer.from('HTTP/1.0 302\nLocation: /x\nContent-Length: 0\n\n'), status: 302, body: '' },
    { what: 'an obs-fold continuation', data: crlf(['HTTP/1.1 200 OK', 'X-A: one', '  two', 'Content-Length: 0', '', '']), status: 200, body: '' },
    { what: 'a head still to come', data: crlf(['HTTP/1.1 200 OK', 'Content-Le']), incomplete: true },
    { what: 'a status line still to come', data: Buffer.from('HTTP/1'), incomplete: true },
    { what: 'nothing, then the close', data: Buffer.alloc(0), eof: true, malformed: /closed without a response/ },
    { what: 'half a head, then the close', data: crlf(['HTTP/1.1 200 OK', 'Content-Le']), eof: true, malformed: /closed inside the response head/ },
    { what: 'an identity line instead of HTTP', data: Buffer.from('{"backend":"shop/api-0","port":80}\n'), malformed: /not an HTTP\/1.x status line/ },
    { what: 'a banner without its line end', data: Buffer.from('SSH-2.0-OpenSSH'), malformed: /not an HTTP\/1.x response/ },
    { what: 'HTTP/2 status line', data: crlf(['HTTP/2 200', '', '']), malformed: /status line/ },
    { what: 'a header line without a colon', data: crlf(['HTTP/1.1 200 OK', 'oops', '', '']), malformed: /bad header line/ },
    { what: 'differing Content-Lengths', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: 2', 'Content-Length: 3', '', 'abc']), malformed: /bad Content-Length/ },
    { what: 'a negative Content-Length', data: crlf(['HTTP/1.1 200 OK', 'Content-Length: -1', '', '']), malformed: /bad Content-Length/ },
  ];
  for (const c of cases) {
    it(`${c.malformed ? 'refuses' : c.incomplete ? 'waits for more of' : 'parses'} ${c.what}`, () => {
      const p = parseResponse(c.data, c.method ?? 'GET', c.eof ?? false);
      if (c.malformed) {
        assert.equal(p.kind, 'malformed', JSON.stringify(p));
        assert.match((p as { reason: string }).reason, c.malformed);
      } else if (c.incomplete) {
        assert.deepEqual(p, { kind: 'incomplete' });
      } else {
        const r = complete(p);
        assert.deepEqual([r.status, r.body], [c.status, c.body]);
      }
    });
  }

  it('keeps field lines in order with lower-case names, folds obs-fold into one value', () => {
    const r = complete(parseResponse(crlf(['HTTP/1.1 301 Moved Permanently', 'Location: https://example.org/new', 'X-A: one', '\ttwo', 'Content-Length: 0', '', '']), 'GET', false));
    assert.deepEqual(r.headers, [['location', 'https://example.org/new'], ['x-a', 'one two'], ['content-length', '0']]);
  });

  it('is incomplete on every prefix of a chunked answer and complete on the whole, fed a byte at a time', () => {
    const whole = crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '5', 'hello', '0', '', '']);
    for (let n = 0; n < whole.length; n++) assert.equal(parseResponse(whole.subarray(0, n), 'GET', false).kind, 'incomplete', `prefix of ${n} bytes`);
    assert.equal(complete(parseResponse(whole, 'GET', false)).body, 'hello');
  });

  it('is never still to come once the server closed, on any prefix of any answer', () => {
    const answers = [
      crlf(['HTTP/1.1 100 Continue', '', 'HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '5;x=1', 'hello', '0', 'T: 1', '', '']),
      crlf(['HTTP/1.1 200 OK', 'Content-Length: 4', '', 'abcd']),
      crlf(['HTTP/1.1 503 Service Unavailable', '', '<html>']),
    ];
    for (const whole of answers) {
      for (let n = 0; n <= whole.length; n++) assert.notEqual(parseResponse(whole.subarray(0, n), 'GET', true).kind, 'incomplete', `prefix of ${n} bytes`);
    }
  });

  it('answers with the status alone once a body runs past its limit', () => {
    const big = Buffer.concat([crlf(['HTTP/1.1 200 OK', 'Content-Length: 999999999', '', '']), Buffer.alloc(300 * 1024, 0x61)]);
    const r = complete(parseResponse(big, 'GET', false));
    assert.equal(r.status, 200);
    assert.equal(r.truncated, true);
    assert.deepEqual(answerOf(parseResponseOf(big)), { http: { status: 200 } });
  });

  it('reads an echo body as who answered and what it received', () => {
    const echo = { backend: 'infra/infra-backend-v2-0', node: 'node-a', port: 8080, protocol: 'TCP', client: '10.244.0.9',
      request: { method: 'GET', path: '/v2?animal=whale', host: 'foo.example.com', headers: { host: 'foo.example.com', version: 'two' } } };
    const text = JSON.stringify(echo);
    const got = answerOf(parseResponseOf(crlf(['HTTP/1.1 200 OK', 'content-type: application/json', `content-length: ${text.length}`, '', text])));
    assert.deepEqual(got, { http: { status: 200, request: echo.request }, backend: 'infra/infra-backend-v2-0', clientSeenAs: '10.244.0.9' });
  });

  it('reads another server\'s answer as its status and Location alone', () => {
    assert.deepEqual(answerOf(parseResponseOf(crlf(['HTTP/1.1 301 Moved', 'Location: https://example.org:443/new', 'Content-Length: 2', '', '{}']))),
      { http: { status: 301, location: 'https://example.org:443/new' } });
    // JSON that names a backend but carries no request is not an echo body.
    assert.deepEqual(answerOf(parseResponseOf(crlf(['HTTP/1.1 200 OK', 'Content-Length: 17', '', '{"backend":"x/y"}']))), { http: { status: 200 } });
  });
});

function parseResponseOf(data: Buffer) {
  const p = parseResponse(data, 'GET', false);
  assert.equal(p.kind, 'complete');
  return (p as Extract<ParsedResponse, { kind: 'complete' }>).response;
}

/** Listens on a free loopback port; resolves to the port. */
async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function probeOnce(targets: ProbeTarget[], timeoutMs = 1000): Promise<Map<string, ProbeResult>> {
  const results: ProbeResult[] = [];
  await runBatch({ timeoutMs, targets }, (r) => results.push(r), { conf: { nameservers: [], search: [], ndots: 1 } });
  return new Map(results.map((r) => [r.id, r]));
}

describe('HTTP probes against servers that are not pod echo servers', function () {
  this.timeout(20_000);
  const servers: net.Server[] = [];
  const ports: Record<string, number> = {};
  let received = '';

  before(async () => {
    const web = http.createServer((req, res) => {
      if (req.url === '/old') { res.writeHead(301, { location: 'https://example.org/new', 'content-length': 0 }); res.end(); return; }
      if (req.url === '/chunked') { res.writeHead(200, { 'content-type': 'text/plain' }); res.write('part one, '); setImmediate(() => res.end('part two')); return; }
      if (req.url === '/chunked-echo') {
        // An echo body in two chunks, sent apart: read back whole only if the chunks were decoded.
        const text = JSON.stringify({ backend: 'shop/api-0', port: 80, protocol: 'TCP', client: '127.0.0.1', request: { method: 'GET', path: req.url, host: req.headers.host, headers: {} } });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(text.slice(0, 20));
        setImmediate(() => res.end(text.slice(20)));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 });
      res.end('not found');
    });
    const raw = (name: string, onConnection: (sock: net.Socket) => void) => {
      const s = net.createServer((sock) => { sock.on('error', () => {}); onConnection(sock); });
      servers.push(s);
      return listening(s).then((port) => { ports[name] = port; });
    };
    servers.push(web);
    ports.web = await listening(web);
    await raw('garbage', (sock) => sock.once('data', () => sock.end('220 mail.example.com ESMTP\r\n')));
    await raw('silent-close', (sock) => sock.once('data', () => sock.end()));
    await raw('stalls', (sock) => sock.once('data', () => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf')));
    await raw('records', (sock) => {
      sock.on('data', (d) => {
        received += d.toString('latin1');
        if (received.includes('\r\n\r\n')) sock.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
  });

  after(() => { for (const s of servers) s.close(); });

  const target = (id: string, port: number, path: string, extra: Partial<ProbeTarget['http']> = {}): ProbeTarget =>
    ({ id, host: '127.0.0.1', port, protocol: 'TCP', family: 'ipv4', http: { method: 'GET', host: 'web.test', path, headers: {}, ...extra } });

  it('reads status, Location and chunked bodies, with no backend', async () => {
    const got = await probeOnce([
      target('404', ports.web!, '/nope'),
      target('301', ports.web!, '/old'),
      target('chunked', ports.web!, '/chunked'),
      target('head', ports.web!, '/nope', { method: 'HEAD' }),
    ]);
    for (const [id, http] of [['404', { status: 404 }], ['301', { status: 301, location: 'https://example.org/new' }], ['chunked', { status: 200 }], ['head', { status: 404 }]] as const) {
      const r = got.get(id)!;
      assert.equal(r.outcome, 'connected', `${id}: ${JSON.stringify(r)}`);
      assert.deepEqual(r.http, http, id);
      assert.equal(r.backend, undefined, id);
    }
  });

  it('decodes a chunked echo body', async () => {
    const r = (await probeOnce([target('echo', ports.web!, '/chunked-echo')])).get('echo')!;
    assert.equal(r.outcome, 'connected', JSON.stringify(r));
    assert.equal(r.backend, 'shop/api-0');
    assert.deepEqual(r.http, { status: 200, request: { method: 'GET', path: '/chunked-echo', host: 'web.test', headers: {} } });
  });

  it('sends the request exactly as the cell asks (a lower-case method stays lower case)', async () => {
    const got = await probeOnce([target('raw', ports.records!, '/a?b=c', { method: 'purge', headers: { 'X-Env': 'canary' } })]);
    assert.equal(got.get('raw')?.outcome, 'connected', JSON.stringify(got.get('raw')));
    assert.equal(received, 'purge /a?b=c HTTP/1.1\r\nHost: web.test\r\nX-Env: canary\r\nConnection: close\r\n\r\n');
  });

  it('reports a non-HTTP answer and a close without an answer as errors, half an answer as a timeout', async () => {
    const got = await probeOnce([
      target('garbage', ports.garbage!, '/'),
      target('silent-close', ports['silent-close']!, '/'),
      target('stalls', ports.stalls!, '/'),
    ], 500);
    assert.equal(got.get('garbage')?.outcome, 'error');
    assert.match(String(got.get('garbage')?.reason), /malformed HTTP response: not an HTTP\/1.x status line: "220 mail/);
    assert.equal(got.get('silent-close')?.outcome, 'error');
    assert.match(String(got.get('silent-close')?.reason), /closed without a response/);
    assert.equal(got.get('stalls')?.outcome, 'timeout');
    assert.match(String(got.get('stalls')?.reason), /no complete HTTP response/);
  });

  it('keeps refused for a closed port, and refuses a bad request or HTTP over UDP in the batch', async () => {
    // A port that was just free: nothing listens there now.
    const gone = net.createServer();
    const closed = await listening(gone);
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const got = await probeOnce([
      target('refused', closed, '/'),
      target('bad', ports.web!, '/a b'),
      { ...target('udp', ports.web!, '/'), protocol: 'UDP' },
    ]);
    assert.equal(got.get('refused')?.outcome, 'refused');
    assert.equal(got.get('refused')?.http, undefined);
    assert.equal(got.get('bad')?.outcome, 'error');
    assert.match(String(got.get('bad')?.reason), /^target bad: HTTP path/);
    assert.equal(got.get('udp')?.reason, 'target udp: an HTTP request goes over TCP');
  });
});
