// The native addon loader (lib/native.js) of an installed package: it loads the addon from the
// platform package npm installed, and every way that can fail (unsupported platform, platform
// package missing, corrupt addon, mismatched versions) ends in one error naming the platform.
// Each case copies the installed package into a fresh node_modules and loads it in a child.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const mainDir = path.dirname(require.resolve('cadenya/package.json'));
const main = JSON.parse(fs.readFileSync(path.join(mainDir, 'package.json'), 'utf8'));
const supported = Object.keys(main.optionalDependencies).map((n) => n.slice('cadenya-'.length));
// The platform package npm installed next to the main package (the one this machine uses).
const platformPkg = Object.keys(main.optionalDependencies).find((n) => {
  try {
    createRequire(path.join(mainDir, 'package.json')).resolve(`${n}/package.json`);
    return true;
  } catch {
    return false;
  }
});

function run(dir, code, args = []) {
  const env = { ...process.env };
  delete env.CADENYA_NODE_ADDON;
  return spawnSync(process.execPath, [...args, '-e', code], { cwd: dir, env, encoding: 'utf8' });
}

const projects = [];
after(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project whose node_modules holds a copy of the installed main package, plus `extra`. */
function project(extra = () => {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenya-loader-'));
  projects.push(dir);
  fs.cpSync(mainDir, path.join(dir, 'node_modules', 'cadenya'), { recursive: true });
  extra(path.join(dir, 'node_modules'));
  return dir;
}

function fakePlatformPackage(nodeModules, { version = main.version, addon = 'not an ELF, Mach-O or PE file' } = {}) {
  const platform = platformPkg.slice('cadenya-'.length);
  const dir = path.join(nodeModules, platformPkg);
  fs.mkdirSync(dir, { recursive: true });
  const file = `cadenya.${platform}.node`;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: platformPkg, version, main: file }));
  fs.writeFileSync(path.join(dir, file), addon);
  return path.join(dir, file);
}

test('the installed package loads its addon from the platform package', { skip: !platformPkg && 'no platform package installed' }, () => {
  const r = run(mainDir, "require('cadenya'); console.log(Object.keys(require.cache).filter((f) => f.endsWith('.node')).join('\\n'))");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`node_modules[\\\\/]${platformPkg}[\\\\/]cadenya\\.[\\w-]+\\.node`));
});

test('an unsupported platform names itself and the supported list', () => {
  const dir = project();
  const preload = path.join(dir, 'aix.cjs');
  fs.writeFileSync(preload, "Object.defineProperty(process, 'platform', { value: 'aix' });");
  const r = run(dir, "require('cadenya')", ['--require', preload]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NativeAddonError: cadenya: no prebuilt native addon for this platform \(aix-[a-z0-9]+\)/);
  assert.ok(r.stderr.includes(`Supported platforms: ${supported.join(', ')}.`), r.stderr);
  assert.ok(!/scripts\//.test(r.stderr), 'names no repository script');
});

test('a missing platform package is named, with how to install it', { skip: !platformPkg && 'no platform package installed' }, () => {
  const r = run(project(), "require('cadenya')");
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes(`the native addon package ${platformPkg} for this platform`), r.stderr);
  assert.ok(r.stderr.includes(`npm install ${platformPkg}@${main.version}`), r.stderr);
});

test('a corrupt addon file is named, with the loader error as cause', { skip: !platformPkg && 'no platform package installed' }, () => {
  let file;
  const dir = project((nm) => (file = fakePlatformPackage(nm)));
  const r = run(dir, "try { require('cadenya') } catch (e) { console.log(e.name, e.code, String(e.cause && e.cause.message).length > 0); throw e }");
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /^NativeAddonError CADENYA_NATIVE_ADDON true/);
  assert.ok(r.stderr.includes(`the native addon ${fs.realpathSync(file)} (${platformPkg}) failed to load`), r.stderr);
  assert.match(r.stderr, /corrupt or was built\s+for another platform/);
});

test('a platform package of another version is refused', { skip: !platformPkg && 'no platform package installed' }, () => {
  const dir = project((nm) => fakePlatformPackage(nm, { version: '0.0.0-other' }));
  const r = run(dir, "require('cadenya')");
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes(`${platformPkg}@0.0.0-other is installed, but cadenya@${main.version} needs`), r.stderr);
});

test('CADENYA_NODE_ADDON pointing at a missing file says so', () => {
  const dir = project();
  const env = { ...process.env, CADENYA_NODE_ADDON: path.join(dir, 'nope.node') };
  const r = spawnSync(process.execPath, ['-e', "require('cadenya')"], { cwd: dir, env, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes(`the native addon ${path.join(dir, 'nope.node')} (CADENYA_NODE_ADDON) failed to load`), r.stderr);
});
