import { testEnv } from '../../env';
import { storeContract } from '../contract.test-suite';
import { openMongoStore } from './mongo.store';

const uri = testEnv().MONGODB_URI;

if (uri) {
  // Each test gets its own database on the replica set, dropped afterwards.
  storeContract('mongo', async () => {
    const url = new URL(uri);
    url.pathname = `/pixtale_contract_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    const store = await openMongoStore(url.toString());
    const close = store.close.bind(store);
    return Object.assign(store, {
      close: async () => {
        const mongoose = await import('mongoose');
        const conn = await mongoose.createConnection(url.toString()).asPromise();
        await conn.dropDatabase();
        await conn.close();
        await close();
      },
    });
  });
} else {
  console.warn('mongo store contract skipped: MONGODB_URI is not set');
  describe.skip('store contract: mongo (skipped: set MONGODB_URI to a replica set, e.g. mongodb://localhost:27017/?replicaSet=rs0)', () => {
    test('runs the shared store contract', () => undefined);
  });
}
