import 'dotenv/config';
import { runWorkerFromEnv } from './run';

runWorkerFromEnv().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
