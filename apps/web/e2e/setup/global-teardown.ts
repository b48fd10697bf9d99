import fs from 'node:fs';
import { STATE_FILE, type E2EState } from './global-setup';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops exactly the processes global-setup started (by process group), then removes the temp dir. */
export default async function globalTeardown() {
  if (!fs.existsSync(STATE_FILE)) return;
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as E2EState;
  for (const pid of state.pids) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (state.pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of state.pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (process.env.E2E_KEEP_LOGS) console.log(`e2e logs kept in ${state.tmpDir}`);
  else fs.rmSync(state.tmpDir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
}
