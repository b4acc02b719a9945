// The DNS stub resolver against a small authoritative server on loopback, written here from
// RFC 1035 §4: answers with a compressed CNAME chain, AAAA, SRV (RFC 2782, its target compressed),
// NXDOMAIN, SERVFAIL, no data, silence.
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { decodeAnswer, encodeQuery, query, querySrv } from './dns-client.js';

/** The question's name and type, read back from a query. */
function question(msg: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let o = 12;
  while (msg[o]! !== 0) { labels.push(msg.subarray(o + 1, o + 1 + msg[o]!).toString('ascii')); o += msg[o]! + 1; }
  return { name: labels.join('.'), type: msg.readUInt16BE(o + 1), end: o + 5 };
}

function rr(namePointer: number, type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc000 | namePointer, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(30, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function answer(msg: Buffer): Buffer | undefined {
  const q = question(msg);
  const header = Buffer.from(msg.subarray(0, 12));
  header[2] = 0x81; // QR, RD
  header[3] = 0x80; // RA, rcode 0
  const records: Buffer[] = [];
  switch (q.name) {
    case 'web.shop.svc.cluster.local': {
      // A CNAME to "db" + the question's name (pointer to offset 12), then db's A record (pointer to the CNAME's data).
      const cname = Buffer.from([2, 0x64, 0x62, 0xc0, 12]);
      records.push(rr(12, 5, cname));
      if (q.type === 1) records.push(rr(q.end + 12, 1, Buffer.from([10, 96, 0, 7])));
      break;
    }
    case '_http._tcp.api.test':
      if (q.type === 33) {
        // priority 10, weight 5, port 8080, target "web" + the question's name from its 4th label
        // on (a pointer into the question: web.api.test); then one whose target is "." (RFC 2782:
        // not available there), and one at a worse priority.
        const apiLabel = 12 + '_http._tcp'.length + 1;
        records.push(rr(12, 33, Buffer.concat([Buffer.from([0, 10, 0, 5, 0x1f, 0x90]), Buffer.from([3, 0x77, 0x65, 0x62, 0xc0 | (apiLabel >> 8), apiLabel & 0xff])])));
        records.push(rr(12, 33, Buffer.from([0, 10, 0, 5, 0, 80, 0])));
        records.push(rr(12, 33, Buffer.concat([Buffer.from([0, 20, 0, 1, 0x01, 0xbb]), Buffer.from([6, ...Buffer.from('backup'), 4, ...Buffer.from('test'), 0])])));
      }
      break;
    case 'six.test':
      if (q.type === 28) records.push(rr(12, 28, Buffer.from('fd000010024400010000000000000002', 'hex')));
      break;
    case 'nx.test': header[3] = 0x83; break;
    case 'fail.test': header[3] = 0x82; break;
    case 'slow.test': return undefined;
    default: break; // exists, no records of the type
  }
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, msg.subarray(12, q.end), ...records]);
}

describe('DNS stub resolver on loopback', () => {
  let server: dgram.Socket;
  let port = 0;

  before(async () => {
    server = dgram.createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const reply = answer(msg);
      if (reply) server.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
    port = server.address().port;
  });

  after(() => server.close());

  const ask = (name: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 500) => query(name, type, { server: '127.0.0.1', port, timeoutMs });

  it('follows a compressed CNAME chain to the A record, and reads AAAA in RFC 5952 text', async () => {
    assert.deepEqual(await ask('web.shop.svc.cluster.local'), ['10.96.0.7']);
    assert.deepEqual(await ask('six.test', 'AAAA'), ['fd00:10:244:1::2']);
  });

  it('reads SRV answers, a compressed target included, and leaves out a "." target', async () => {
    assert.deepEqual(await querySrv('_http._tcp.api.test', { server: '127.0.0.1', port, timeoutMs: 500 }), [
      { priority: 10, weight: 5, port: 8080, target: 'web.api.test' },
      { priority: 20, weight: 1, port: 443, target: 'backup.test' },
    ]);
    await assert.rejects(querySrv('six.test', { server: '127.0.0.1', port, timeoutMs: 500 }), { code: 'ENODATA' });
    await assert.rejects(querySrv('nx.test', { server: '127.0.0.1', port, timeoutMs: 500 }), { code: 'ENOTFOUND' });
  });

  it('reports what went wrong with the codes node:dns uses', async () => {
    await assert.rejects(ask('nx.test'), { code: 'ENOTFOUND' });
    await assert.rejects(ask('fail.test'), { code: 'ESERVFAIL' });
    await assert.rejects(ask('six.test', 'A'), { code: 'ENODATA' });
    await assert.rejects(ask('web.shop.svc.cluster.local', 'AAAA'), { code: 'ENODATA' }, 'a CNAME alone is no address');
    await assert.rejects(ask('slow.test', 'A', 150), { code: 'ETIMEOUT' });
  });

  it('reports a closed port (ICMP port unreachable) as ECONNREFUSED', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
    const closed = probe.address().port;
    probe.close();
    await assert.rejects(query('x.test', 'A', { server: '127.0.0.1', port: closed, timeoutMs: 1000 }), { code: 'ECONNREFUSED' });
  });

  it('rejects an answer to another query and a truncated one', () => {
    const q = encodeQuery(7, 'a.test', 'A');
    assert.throws(() => decodeAnswer(Buffer.concat([Buffer.from([0, 8]), q.subarray(2)]), 7, 'A', 'a.test'), { code: 'EBADRESP' });
    assert.throws(() => decodeAnswer(q.subarray(0, 8), 7, 'A', 'a.test'), { code: 'EBADRESP' });
  });
});
