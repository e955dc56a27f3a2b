// The server's log file: requests and lifecycle land in <logDir>/server.N.log, with no token, no
// authorization header and no item or decision content.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mutationFor, newClientId } from '../helpers/central-client';
import { demoToken, withDemoClients } from '../helpers/demo-fixture';
import { startTestServer } from '../helpers/server';
import { tmpDir } from '../core/core-fixture';

const tmp = tmpDir('server-logs');
afterAll(() => tmp.cleanup());

describe('server logs', () => {
  it('writes request logs to server.N.log without the token or the decision content', async () => {
    const logDir = tmp.file('logs');
    const demo = await withDemoClients(await startTestServer({ seed: 'demo', logDir }));
    const mark = 'decision-mark-5be11c';
    const { items } = await demo.as.alice.claim({ count: 2 });
    const clientId = newClientId('logs');
    const res = await demo.as.alice.push({ clientId, mutations: [mutationFor('approve', items[0], 1, { comment: mark })] });
    expect(res.results[0].status).toBe('applied');
    await demo.close();

    const files = readdirSync(logDir).filter((f) => /^server\.\d+\.log$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const text = files.map((f) => readFileSync(join(logDir, f), 'utf8')).join('');
    expect(text).toContain('/v1/sync/push');
    expect(text).not.toContain(demoToken('alice'));
    expect(text).not.toContain(mark);
    expect(text).not.toContain(items[0].title);
  });
});
