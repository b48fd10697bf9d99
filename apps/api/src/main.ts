import { listenFailure } from '@pixtale/shared/node';
import { loadEnv } from './env';
import { createServer } from './server';

/**
 * Starts the API and the caption and translation workers in one process:
 *   GraphQL  http://localhost:API_PORT/graphql  (4000; graphql-ws on the same path)
 *   images   http://localhost:API_PORT/media/<sha256>.webp|jpg
 * Zero configuration: SQLite + files under <repo>/data. SIGINT/SIGTERM drain and exit; a crash or
 * kill -9 loses nothing (caption and translation jobs are leased and resumed on the next start).
 */
async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const server = await createServer(env, { startWorker: env.WORKER_ENABLED }).catch((e: unknown) => {
    const line = listenFailure(e, 'API_PORT', env.API_PORT);
    if (!line) throw e;
    console.error(`Pixtale API: ${line}`);
    process.exit(1);
  });
  const { logger, store } = server.app.deps;
  const [jobs, translationJobs] = await Promise.all([store.jobs.countByStatus('caption'), store.jobs.countByStatus('translation')]);
  logger.info(
    {
      store: store.kind, dataDir: env.dataDir, pendingJobs: jobs.PENDING + jobs.PROCESSING,
      pendingTranslationJobs: translationJobs.PENDING + translationJobs.PROCESSING, worker: env.WORKER_ENABLED,
    },
    `Pixtale API ready at ${env.publicUrl}/graphql`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
