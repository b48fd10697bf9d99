import { EventEmitter, on } from 'node:events';

/** Typed topics: topic name -> payload. Payloads are ids; subscribers load fresh state. */
export interface Topics {
  /** A post's caption status, caption versions or counts changed. */
  POST_UPDATED: { postId: string };
  /** A post was created. */
  FEED_UPDATED: { postId: string };
  /** A post was deleted. */
  POST_DELETED: { postId: string };
  /** A comment was added to a post (keyed by post id). */
  COMMENT_ADDED: { postId: string; commentId: string };
  /** A comment was deleted (keyed by post id). */
  COMMENT_DELETED: { postId: string; commentId: string };
}
export type Topic = keyof Topics;

/**
 * Pub/sub port. The default is in-process; several API instances would plug in a shared
 * implementation (e.g. Redis or MongoDB change streams) behind the same interface.
 */
export interface PubSub {
  publish<T extends Topic>(topic: T, payload: Topics[T], key?: string): void;
  subscribe<T extends Topic>(topic: T, key?: string): AsyncIterable<Topics[T]>;
}

const channel = (topic: string, key?: string) => (key ? `${topic}:${key}` : topic);

/** The in-process pub/sub also reports its listener count (tests wait for a subscription to be live). */
export type InProcessPubSub = PubSub & { listenerCount(topic: Topic, key?: string): number };

export function createInProcessPubSub(): InProcessPubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    listenerCount(topic, key) {
      return emitter.listenerCount(channel(topic, key));
    },
    publish(topic, payload, key) {
      emitter.emit(channel(topic, key), payload);
    },
    subscribe<T extends Topic>(topic: T, key?: string): AsyncIterable<Topics[T]> {
      const name = channel(topic, key);
      return {
        [Symbol.asyncIterator]() {
          // events.on buffers events from the moment it is called; return() removes the listener.
          const ac = new AbortController();
          const it = on(emitter, name, { signal: ac.signal });
          return {
            async next() {
              try {
                const r = await it.next();
                return r.done ? { done: true, value: undefined } : { done: false, value: (r.value as [Topics[T]])[0] };
              } catch (e) {
                if ((e as Error).name === 'AbortError') return { done: true, value: undefined };
                throw e;
              }
            },
            async return() {
              ac.abort();
              return { done: true, value: undefined };
            },
          };
        },
      };
    },
  };
}
