import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WORKER_HEAP_MB, WORKER_NODE_FLAG } from '../../workers/heap';

// The worker's heap ceiling (workers/heap.ts) is passed by every place that starts a worker
// process: the image, `npm run worker`, and the harness (bench and drills, by importing it).
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the worker heap ceiling', () => {
  test('the image and `npm run worker` pass the same flag', () => {
    expect(read('Dockerfile')).toContain(`CMD ["node", "${WORKER_NODE_FLAG}", "dist/workers/main.js"]`);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.worker).toContain(`NODE_OPTIONS="${WORKER_NODE_FLAG} `);
  });

  test('node applies it to the workflow thread too (a worker thread inherits it)', () => {
    const limits = execFileSync(
      process.execPath,
      [
        WORKER_NODE_FLAG,
        '-e',
        `const { Worker } = require('node:worker_threads');
         const v8 = require('node:v8');
         const main = v8.getHeapStatistics().heap_size_limit;
         new Worker("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit)", { eval: true })
           .on('message', (t) => { console.log(JSON.stringify([main, t])); process.exit(0); });`,
      ],
      { encoding: 'utf8' },
    );
    const [main, thread] = JSON.parse(limits) as [number, number];
    for (const limit of [main, thread]) {
      // heap_size_limit adds the young generation to the old space's ceiling.
      expect(limit / 2 ** 20).toBeGreaterThanOrEqual(WORKER_HEAP_MB);
      expect(limit / 2 ** 20).toBeLessThan(WORKER_HEAP_MB * 1.5);
    }
  });
});
