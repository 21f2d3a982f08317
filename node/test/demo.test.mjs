// The README walkthrough (examples/demo.mjs) runs end to end against the local server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('examples/demo.mjs: agent, objective, approval, verified webhooks', async () => {
  const demo = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url));
  const { stdout } = await new Promise((resolve, reject) =>
    execFile(process.execPath, [demo], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve({ stdout })));
  assert.match(stdout, /✓ approving tool call tc_/);
  assert.match(stdout, /\[done\]\s+objective finalized/);
  assert.match(stdout, /forged delivery refused/);
  const m = stdout.match(/Done: (\d+) events, (\d+) webhooks verified/);
  assert.ok(m, stdout);
  assert.ok(Number(m[1]) >= 7, 'the whole conversation was followed');
  assert.equal(m[2], m[1], 'every event arrived as a verified webhook');
});
