import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/log.js';
import { encodeFrame } from '../../src/mllp/index.js';
import net from 'node:net';
import { backends } from '../helpers/db.js';
import { adt, OID_A } from '../helpers/adt.js';
import { ADMIN_KEY, startTestService, type TestService } from '../helpers/service.js';

/** No patient data in logs: every path that logs is driven with recognisable values, at debug level. */
describe.each(backends)('logs on $name', (backend) => {
  const lines: string[] = [];
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(backend, {}, {}, createLogger('debug', {}, (l) => lines.push(l)));
  });
  afterAll(async () => t?.stop());

  it('carry no names, identifiers, birth dates, phones or addresses', async () => {
    const phi = ['ZEBEDIAH', 'QUOXWORTH', 'PHI-77123', '19610417', '5557391', 'XYLOPHONE AVE', '987654321'];
    const pid3 = `PHI-77123^^^HOSPA&${OID_A}&ISO^MR~987654321^^^SSA&2.16.840.1.113883.4.1&ISO^SS`;
    const common = { name: 'QUOXWORTH^ZEBEDIAH', dob: '19610417', phone: '^PRN^PH^^^217^5557391', address: '12 XYLOPHONE AVE^^SPRINGFIELD^IL^62701' };
    await t.send([
      adt({ controlId: 'L1', pid3, ...common }),
      adt({ controlId: 'L2', pid3, ...common, dob: '19610431' }),
      adt({ controlId: 'L3', pid3: 'PHI-77123^^^NOWHERE^MR', ...common }),
      adt({ controlId: 'L4', event: 'A03', pid3, ...common }),
      adt({ controlId: 'L5', pid3, ...common, extraSegments: [`NTE|1||${'QUOXWORTH '.repeat(120_000)}`] }),
    ]);
    await new Promise<void>((resolve) => {
      const s = net.connect(t.service.mllpPort, '127.0.0.1', () => s.write(encodeFrame('QUOXWORTH ZEBEDIAH 19610417')));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    await t.pix(`sourceIdentifier=${encodeURIComponent(`urn:oid:${OID_A}|PHI-77123`)}`);
    await t.pix(`sourceIdentifier=${encodeURIComponent('urn:oid:1.2.3|PHI-77123')}`);
    await t.http('/api/dead-letters', { key: ADMIN_KEY });
    const msgs = lines.map((l) => JSON.parse(l).msg as string);
    expect(msgs).toEqual(expect.arrayContaining(['frame without MSH: connection closed', 'mllp frame over size limit']));
    for (const line of lines) for (const v of phi) expect(line, `log line leaks ${v}`).not.toContain(v);
  });
});
