import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  printSchema,
  specifiedRules,
  validate,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import pino, { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { ErrorCode } from '@pixtale/shared';
import { readOrCreateSecret } from '@pixtale/shared/node';
import { AuthService, operationDenied } from './auth/auth.service';
import { lazyCaptioner, type CaptionerProvider } from './caption/captioner';
import { CommentService } from './comment/comment.service';
import { ensurePrivateDir } from './common/private-files';
import { bearerOf, createContext, type AppDeps, type Context } from './context';
import { EngagementService } from './engagement/engagement.service';
import type { Env } from './env';
import { createExecutor } from './execution';
import { createHttpApp } from './http-app';
import { captionJobHandler } from './jobs/caption.job';
import { JobQueue } from './jobs/job-queue';
import { createInProcessJobSignal, type JobSignal } from './jobs/job-signal';
import { JobWorker } from './jobs/job.worker';
import { translationJobHandler } from './jobs/translation.job';
import { createRedisJobSignal } from './jobs/redis-job-signal';
import { clientAddressResolver } from './limits/client-address';
import { limiterFactory, type LimiterFactory } from './limits/limiter';
import { checkQueryLimits, RateLimits, rootFieldsOf } from './limits/limits';
import { LoginLimits } from './limits/login-limits';
import { MediaService } from './media/media.service';
import { PostService } from './post/post.service';
import { createInProcessPubSub, type PubSub } from './pubsub/pubsub';
import { createRedisPubSub } from './pubsub/redis-pubsub';
import { connectRedis } from './redis/redis';
import { getSchema } from './schema';
import { SearchService } from './search/search.service';
import { openStore, type Store } from './store';
import { lazyTranslator, type TranslatorProvider } from './translation/translator';
import { UserService } from './user/user.service';

export interface AppOptions {
  /** Use this store instead of opening one from the environment. */
  store?: Store;
  pubsub?: PubSub;
  /** Wakes job workers when jobs are queued (default: in-process). */
  jobSignal?: JobSignal;
  logger?: Logger;
  /** Captioner for the worker (default: @pixtale/ml loaded lazily from PIXTALE_MODELS_DIR). */
  captioner?: CaptionerProvider;
  /** Translator for the translation worker (default: @pixtale/ml's, loaded lazily from PIXTALE_MODELS_DIR). */
  translator?: TranslatorProvider;
}

export interface App {
  deps: AppDeps;
  /** The one job worker (captions and translations); started by createServer when asked. */
  worker: JobWorker;
  jobQueue: JobQueue;
  jobSignal: JobSignal;
  /** Where rate-limit counters live: Redis with REDIS_URL, else this process's memory. */
  limiters: LimiterFactory;
  captioner: CaptionerProvider;
  translator: TranslatorProvider;
  /** Stops the worker (jobs still running after `graceMs` are released) and closes the connections. */
  close(graceMs?: number): Promise<void>;
}

/** Builds the long-lived pieces: store, pub/sub, media, services and the job worker (not started). */
export async function createApp(env: Env, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? pino({ level: env.LOG_LEVEL });
  // Accounts, sessions, secrets and originals live here: owner only.
  ensurePrivateDir(env.dataDir);
  // With REDIS_URL, events, limits and job wake-ups are shared with the other processes.
  const redis = env.REDIS_URL ? await connectRedis(env.REDIS_URL, logger) : null;
  const store =
    opts.store ??
    (await openStore(env).catch(async (e: unknown) => {
      await redis?.close();
      throw e;
    }));
  const pubsub = opts.pubsub ?? (redis ? createRedisPubSub(redis, logger) : createInProcessPubSub());
  const limiters = limiterFactory(redis?.commands);
  const media = new MediaService({
    dir: path.join(env.dataDir, 'media'),
    maxBytes: env.MAX_UPLOAD_BYTES,
    maxPixels: env.MAX_IMAGE_PIXELS,
    decodePixelBudget: env.DECODE_PIXEL_BUDGET,
  });
  await media.init();
  const captioner =
    opts.captioner ??
    lazyCaptioner({ modelsDir: env.PIXTALE_MODELS_DIR, model: env.PIXTALE_CAPTION_MODEL, threads: env.CAPTION_THREADS });
  // One onnxruntime thread: translations run beside captioning and must not starve it.
  const translator = opts.translator ?? lazyTranslator({ modelsDir: env.PIXTALE_MODELS_DIR, threads: 1 });
  const jobSignal = opts.jobSignal ?? (redis ? createRedisJobSignal(redis, logger) : createInProcessJobSignal());
  const jobQueue = new JobQueue({ store, signal: jobSignal, captionMaxAttempts: env.CAPTION_MAX_ATTEMPTS });
  const translation = translationJobHandler({ pubsub, translator, logger });
  const worker = new JobWorker({
    store,
    queue: jobQueue,
    signal: jobSignal,
    logger,
    leaseMs: env.CAPTION_LEASE_SECONDS * 1000,
    handlers: new Map([
      ['caption', captionJobHandler({ pubsub, media, captioner })],
      ['translation', translation],
    ]),
  });
  // Never a constant: production passes JWT_SECRET; elsewhere one is generated on first start (mode 600).
  const jwtSecret = env.JWT_SECRET ?? readOrCreateSecret(env.dataDir, 'jwt-secret');
  const auth = new AuthService(store, { jwtSecret, jwtTtlSeconds: env.JWT_TTL_SECONDS, googleClientId: env.GOOGLE_CLIENT_ID });
  const posts = new PostService({
    store,
    queue: jobQueue,
    media,
    pubsub,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    captioner,
    logger,
  });
  // Derived from the session secret, so every API instance sharing a store hashes alike.
  const viewKeySecret = createHmac('sha256', jwtSecret).update('pixtale view keys').digest('base64url');
  const engagement = new EngagementService(store, posts, pubsub, viewKeySecret);
  const services = {
    auth,
    posts,
    engagement,
    users: new UserService(store, media, env.MAX_UPLOAD_BYTES),
    comments: new CommentService(store, posts, pubsub),
    search: new SearchService(store),
  };
  const deps: AppDeps = {
    env,
    store,
    pubsub,
    logger,
    media,
    services,
    loginLimits: new LoginLimits(env, limiters),
    translation: { unavailableReason: () => translation.unavailableReason() },
  };
  return {
    deps,
    worker,
    jobQueue,
    jobSignal,
    limiters,
    captioner,
    translator,
    async close(graceMs) {
      await worker.stop(graceMs);
      await translator.dispose();
      if ('dispose' in captioner && typeof captioner.dispose === 'function') await (captioner.dispose as () => Promise<void>)();
      if (!opts.store) await store.close();
      await redis?.close();
    },
  };
}

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway'];

/**
 * How the app executes operations (graphql-jit, results shared between viewers under the store's
 * feed versions: execution.ts); the test harness executes the same way.
 */
export function appExecutor(schema: GraphQLSchema, deps: Pick<AppDeps, 'store' | 'env' | 'translation'>) {
  if (!deps.env.SHARED_RESULTS) return createExecutor(schema);
  return createExecutor(schema, {
    sharedResults: {
      async version() {
        const v = await deps.store.posts.feedVersions();
        // Whether this process can translate is part of translationStatus (UNAVAILABLE), not in the store.
        return v && `${v.content}.${v.counts}.${v.extras}.${deps.translation.unavailableReason() ? 'u' : 'a'}`;
      },
    },
  });
}

/** Serves our (static) schema to Apollo and executes operations with appExecutor. */
function jitGateway(schema: GraphQLSchema, deps: AppDeps): Gateway {
  const execute = appExecutor(schema, deps);
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async load() {
      return {
        executor: async (rc) =>
          execute({
            document: rc.document,
            variableValues: rc.request.variables,
            contextValue: rc.context,
            operationName: rc.operationName,
          }),
      };
    },
    async stop() {},
  };
}

export interface Server {
  app: App;
  http: http.Server;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  /**
   * Drains: stops accepting, lets in-flight requests finish, closes WebSockets with 1001 (Going
   * away: graphql-ws clients reconnect, to another instance behind a balancer), then closes the app.
   */
  close(graceMs?: number): Promise<void>;
}

/** Hides internals: anything that is not one of our coded errors becomes a generic message. */
function formatError(logger: Logger) {
  const known = new Set<string>([
    ...Object.values(ErrorCode),
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_REQUEST',
    'PERSISTED_QUERY_NOT_FOUND',
    'OPERATION_RESOLUTION_FAILURE',
  ]);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code as string | undefined;
    if (code && known.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    // Arguments that fail GraphQL coercion (e.g. a string for an Int) are the client's fault.
    if (/^Variable "\$|^Argument "|got invalid value|Upload value invalid/.test(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
    }
    logger.error({ err: error }, 'unexpected error');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * The HTTP + WebSocket server: POST/GET /graphql (Apollo, with multipart uploads and CSRF
 * prevention), ws://.../graphql (graphql-ws), /media/<file> (content-addressed images),
 * /health. Listens on `port` (0 picks a free port). The worker is started when `startWorker`.
 */
export async function createServer(
  env: Env,
  opts: AppOptions & { port?: number; host?: string; startWorker?: boolean; wsAuthRecheckMs?: number } = {},
): Promise<Server> {
  const app = await createApp(env, opts);
  const { deps } = app;
  const schema = await getSchema();
  const limits = new RateLimits(env, app.limiters);
  let warnedUntrusted = false;
  const clientAddress = clientAddressResolver({
    trustProxy: env.TRUST_PROXY,
    // Development: the web app reads the same generated file (both use the one data folder).
    internalSecret: env.INTERNAL_API_SECRET ?? readOrCreateSecret(env.dataDir, 'internal-api-secret'),
    onUntrustedHeader: () => {
      if (warnedUntrusted) return;
      warnedUntrusted = true;
      deps.logger.warn(
        'A client-address header came without the right proxy secret and was ignored (give the web app and the API the same INTERNAL_API_SECRET)',
      );
    },
  });
  const httpServer = http.createServer();
  const introspection = env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production';
  const wsRules = introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  // noServer: upgrades are routed below, so the HTTP server's own errors (a port in use) reach the
  // caller as one error instead of being re-emitted and logged by the WebSocket server.
  const wss = new WebSocketServer({ noServer: true });
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const wsAuthorization = (params: Record<string, unknown> | undefined) =>
    (params?.authorization ?? params?.Authorization) as string | undefined;
  type WsConnection = {
    connectionParams?: Record<string, unknown>;
    extra: { socket: { close(code: number, reason: string): void } };
  };
  /**
   * The viewer of a graphql-ws connection, or null when anonymous. A token that is malformed,
   * invalid, expired or revoked closes the socket with 4401 and the error code as its reason,
   * as HTTP answers UNAUTHENTICATED (then undefined). Other failures close with 4500 unless
   * `keepOnError` (a periodic re-check must not end a connection for a passing store error).
   */
  const wsViewer = async (c: WsConnection, keepOnError = false) => {
    const authorization = wsAuthorization(c.connectionParams);
    if (!authorization) return null;
    const token = bearerOf(authorization);
    try {
      if (!token)
        throw new GraphQLError('Malformed authorization (expected "Bearer <token>")', {
          extensions: { code: ErrorCode.UNAUTHENTICATED },
        });
      return await deps.services.auth.authenticate(token);
    } catch (e) {
      if ((e as GraphQLError).extensions?.code === ErrorCode.UNAUTHENTICATED)
        c.extra.socket.close(4401, ErrorCode.UNAUTHENTICATED);
      else if (keepOnError) return null;
      else c.extra.socket.close(4500, ErrorCode.INTERNAL_SERVER_ERROR);
      return undefined;
    }
  };
  // Signed-in connections are checked again every so often, so live subscriptions end soon after a
  // logOut, logOutEverywhere, token revocation or expiry, whichever API instance handled it.
  const wsRecheckMs = opts.wsAuthRecheckMs ?? 30_000;
  const wsRechecks = new WeakMap<object, NodeJS.Timeout>();
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      validate: (s, document) => validate(s, document, wsRules),
      onConnect: async (c) => {
        const viewer = await wsViewer(c);
        // Already closed with 4401 (graphql-ws's own 4403 close then does nothing).
        if (viewer === undefined) return false;
        if (viewer) {
          const timer = setInterval(() => void wsViewer(c, true), wsRecheckMs);
          timer.unref();
          wsRechecks.set(c, timer);
        }
        return true;
      },
      onClose: (c) => clearInterval(wsRechecks.get(c)),
      context: async (c, _id, _payload) => {
        const req = c.extra.request;
        return createContext(deps, {
          authorization: wsAuthorization(c.connectionParams),
          ip: clientAddress(req),
          userAgent: req.headers['user-agent'],
        });
      },
      onSubscribe: async (c, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch {
          return undefined; // graphql-ws reports the syntax error itself
        }
        // The token may have been revoked or have expired since the connection opened.
        const viewer = await wsViewer(c);
        if (viewer === undefined)
          return [new GraphQLError('Unauthenticated', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        const op = getOperationAST(document, payload.operationName);
        const denied = op && operationDenied(viewer, op.operation);
        if (denied) return [denied];
        const err = checkQueryLimits(schema, document, payload.variables ?? undefined, payload.operationName);
        if (err) return [err];
        const ip = clientAddress(c.extra.request);
        try {
          await limits.consume(`ip:${ip}`, ip, rootFieldsOf(document, payload.operationName));
        } catch (e) {
          return [e as GraphQLError];
        }
        return undefined;
      },
    },
    wss,
  );

  const limitsPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName, contextValue, operation }) {
          // A token that does not check out is refused, never quietly treated as anonymous (as over graphql-ws).
          if (contextValue.authError) throw contextValue.authError;
          const type = operation?.operation ?? getOperationAST(document, operationName)?.operation;
          const denied = type && operationDenied(contextValue.viewer, type);
          if (denied) throw denied;
          const err = checkQueryLimits(schema, document, request.variables, operationName);
          if (err) throw err;
          await limits.consume(contextValue.clientKey, contextValue.ip, rootFieldsOf(document, operationName));
        },
      };
    },
  };

  const apollo = new ApolloServer<Context>({
    // Apollo parses, validates, runs the plugins and formats errors as usual; operations execute
    // with graphql-jit (execution.ts). A gateway is Apollo's one hook for its own executor.
    gateway: jitGateway(schema, deps),
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM (drain, then exit); Apollo's own handlers made its stop() never settle there.
    stopOnTerminationSignals: false,
    // Off in production unless GRAPHQL_INTROSPECTION=true (graphql-ws above follows the same rule).
    introspection,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(deps.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: env.SHUTDOWN_GRACE_SECONDS * 1000 }),
      ApolloServerPluginCacheControlDisabled(), // responses are per viewer (likedByMe); no per-field cache hints
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      limitsPlugin,
    ],
  });
  await apollo.start();

  try {
    await createHttpApp({ httpServer, apollo, deps, clientAddress });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(opts.port ?? env.API_PORT, opts.host ?? env.HOST, () => resolve());
    });
  } catch (e) {
    await wsCleanup.dispose();
    await app.close();
    throw e;
  }
  const addr = httpServer.address() as AddressInfo;
  const url = `http://${addr.address === '0.0.0.0' || addr.address === '::' ? 'localhost' : addr.address}:${addr.port}`;
  // Image URLs point at this server unless PUBLIC_URL says otherwise (port 0 in tests).
  if (!env.PUBLIC_URL) env.publicUrl = url;
  if (opts.startWorker) app.worker.start();

  return {
    app,
    http: httpServer,
    url,
    async close(graceMs) {
      // Requests and jobs drain side by side, each within the grace period.
      await Promise.all([apollo.stop(), app.worker.stop(graceMs)]);
      await app.close();
    },
  };
}
