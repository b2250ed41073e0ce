import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/mllp/index.js';
import { adt, OID_A } from '../helpers/adt.js';
import { readAck, startTestService, type TestService } from '../helpers/service.js';

/** `mllp.tls` in the config file turns the sidecar's listener into MLLP over TLS. */
describe('MLLP over TLS from the config file', () => {
  let dir = '';
  let t: TestService;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mpi-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir, stdio: 'ignore' });
    t = await startTestService({ name: 'pglite' }, { mllp: { tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a message over TLS and refuses a plain-TCP client', async () => {
    const client = await MllpClient.connect({ host: '127.0.0.1', port: t.service.mllpPort, tls: { ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost' }, timeoutMs: 5000 });
    const ack = readAck((await client.send(adt({ controlId: 'TLS1', pid3: `9001^^^HOSPA&${OID_A}&ISO^MR` }))).toString('latin1'));
    await client.close();
    expect(ack).toMatchObject({ code: 'AA', controlId: 'TLS1' });
    expect((await t.pix(`sourceIdentifier=${encodeURIComponent(`urn:oid:${OID_A}|9001`)}`)).status).toBe(200);
    await expect(t.send([adt({ controlId: 'PLAIN1' })])).rejects.toThrow();
  });
});
