// Programs that end while the SDK is busy exit cleanly: each mode of exit_child.mjs runs as a fresh
// process 14 times (42 runs) and every run must exit 0. `node test/exit_child.mjs --runs 200` is
// the long version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers.mjs';
import { MODES, runModes } from './exit_child.mjs';

const RUNS_PER_MODE = 14;
let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test('short-lived programs always exit 0 (process.exit in flight, worker terminated mid-call, natural exit)', async () => {
  const env = { CADENYA_API_KEY: server.api_key, CADENYA_BASE_URL: server.base_url, CADENYA_WORKSPACE_ID: server.workspace_id };
  const bad = await runModes(env, RUNS_PER_MODE);
  assert.deepEqual(bad, [], `${bad.length} of ${RUNS_PER_MODE * MODES.length} runs exited abnormally`);
});
