import { listenFailure } from '@pixtale/shared/node';
import { loadEnv, runsWorker, servesHttp, type Env } from './env';
import { createApp, createServer, type App } from './server';

/**
 * Starts Pixtale's API. ROLE=all (default) runs everything in one process:
 *   GraphQL  http://localhost:API_PORT/graphql  (4000; graphql-ws on the same path)
 *   images   http://localhost:API_PORT/media/<sha256>.webp|jpg
 *   and the job worker (captions, translations).
 * ROLE=api serves only; ROLE=worker runs only the job worker (no listener); both need REDIS_URL.
 * Zero configuration: SQLite + files under <repo>/data. SIGINT/SIGTERM drain and exit; a crash or
 * kill -9 loses nothing (jobs are leased and resumed on the next start or by another worker).
 */
async function main() {
  let env: Env;
  try {
    env = loadEnv();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const startWorker = runsWorker(env);
  const fail = (e: unknown): never => {
    const line =
      listenFailure(e, 'API_PORT', env.API_PORT) ??
      (/^Cannot reach Redis/.test((e as Error)?.message) ? (e as Error).message : null);
    if (!line) throw e;
    console.error(`Pixtale API: ${line}`);
    process.exit(1);
  };
  let close: (graceMs: number) => Promise<void>;
  let app: App;
  if (servesHttp(env)) {
    const server = await createServer(env, { startWorker }).catch(fail);
    ({ app } = server);
    close = (graceMs) => server.close(graceMs);
  } else {
    app = await createApp(env).catch(fail);
    app.worker.start();
    close = (graceMs) => app.close(graceMs);
  }
  const { logger, store } = app.deps;
  const [jobs, translationJobs] = await Promise.all([
    store.jobs.countByStatus('caption'),
    store.jobs.countByStatus('translation'),
  ]);
  logger.info(
    {
      role: env.ROLE,
      store: store.kind,
      dataDir: env.dataDir,
      redis: Boolean(env.REDIS_URL),
      pendingJobs: jobs.PENDING + jobs.PROCESSING,
      pendingTranslationJobs: translationJobs.PENDING + translationJobs.PROCESSING,
      worker: startWorker,
    },
    servesHttp(env) ? `Pixtale API ready at ${env.publicUrl}/graphql` : `Pixtale worker ready (${app.worker.id})`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000;
    logger.info({ signal, graceSeconds: env.SHUTDOWN_GRACE_SECONDS }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('shutdown took too long; exiting');
      process.exit(1);
    }, graceMs + 2_000);
    force.unref();
    close(graceMs).then(
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
