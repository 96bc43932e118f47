import 'dotenv/config';
import { startCodecServerFromEnv } from './server';

// npm run codec-server: serves /encode and /decode for the Web UI and the CLI until interrupted.
startCodecServerFromEnv()
  .then((server) => {
    console.log(`codec server listening on ${server.url} (POST /encode, /decode; bearer token required)`);
    console.log('Web UI codec endpoint: <url>/<CANCELLATIONS_CODEC_TOKEN> (see docs/data-protection.md)');
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
