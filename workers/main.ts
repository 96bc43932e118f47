import 'dotenv/config';
import { useEmbeddedDevKeysIfDefault } from '../client/dev-defaults';
import { runWorkerFromEnv } from './run';

useEmbeddedDevKeysIfDefault();

runWorkerFromEnv().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
