// `tideline serve --watch DIR`: new S3-export files under a directory are hunted into the store, once, also across
// restarts (src/server/watch.ts, on the real server of test/helpers/server.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryWatcher } from '../src/server/watch.js';
import { removeDir, tempDir } from './helpers/cloudtrail.js';
import { startServer, type TestServer } from './helpers/server.js';

const STOP_LOGGING = 'b1315214-edda-4aba-be40-f8032165a3d5'; // bundled rule, in the store after seeding
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function record(id: string) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    requestParameters: { name: 'org-trail' },
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

describe('serve --watch: a directory of S3-export files', () => {
  let dir: string;
  let srv: TestServer;
  const day = () => join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', '20');
  const drop = (name: string, ids: string[]) => {
    mkdirSync(day(), { recursive: true });
    const f = join(day(), `111122223333_CloudTrail_us-east-1_20261120T1000Z_${name}.json.gz`);
    writeFileSync(f, gzipSync(JSON.stringify({ Records: ids.map(record) })));
    return f;
  };
  const stored = (): string[] =>
    (srv.db.prepare("SELECT event_id FROM alerts WHERE rule_id = ? AND event_id LIKE 'watch-%' ORDER BY event_id").all(STOP_LOGGING) as { event_id: string }[]).map((r) => r.event_id);
  const until = async (cond: () => boolean, ms = 15_000) => {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await sleep(50);
    }
  };

  beforeAll(async () => {
    dir = tempDir('watch');
    srv = await startServer({ watch: { dir, intervalMs: 100 } });
  });
  afterAll(async () => {
    await srv?.close();
    removeDir(dir);
  });

  it('hunts new files into the store with the stored rules and remembers them across restarts', async () => {
    drop('a', ['watch-1']);
    await until(() => stored().includes('watch-1'));
    drop('b', ['watch-2']);
    await until(() => stored().includes('watch-2'));
    const files = srv.db.prepare('SELECT path, records, alerts, errors FROM watched_files ORDER BY path').all() as { path: string; records: number; alerts: number; errors: string | null }[];
    expect(files.map((f) => [f.path.slice(dir.length + 1), f.records, f.alerts, f.errors])).toEqual([
      ['AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1000Z_a.json.gz', 1, 1, null],
      ['AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1000Z_b.json.gz', 1, 1, null],
    ]);

    // A restart: the watcher stops; the alerts are removed so that reading a file again would show. A new watcher on
    // the same store reads nothing it already read.
    await srv.watcher!.stop();
    srv.db.prepare("DELETE FROM alerts WHERE event_id LIKE 'watch-%'").run();
    const again = new DirectoryWatcher(srv.db, { dir, intervalMs: 100 });
    expect(await again.poll()).toEqual({ files: 0, records: 0, alerts: 0 });
    expect(await again.poll()).toEqual({ files: 0, records: 0, alerts: 0 });
    expect(stored()).toEqual([]);

    // A file appears: not read while it may still be written (first sight), read once it is unchanged on the next poll.
    drop('c', ['watch-3']);
    expect((await again.poll()).files).toBe(0);
    expect(await again.poll()).toEqual({ files: 1, records: 1, alerts: 1 });
    expect(await again.poll()).toEqual({ files: 0, records: 0, alerts: 0 });
    expect(stored()).toEqual(['watch-3']);

    // A file that changes (size, mtime) is read again; alerts stay one per rule and eventID.
    drop('a', ['watch-1', 'watch-4']);
    await again.poll();
    expect(await again.poll()).toEqual({ files: 1, records: 2, alerts: 2 });
    expect(stored()).toEqual(['watch-1', 'watch-3', 'watch-4']);
  });
});
