'use strict';
// Finds and loads the native addon (napi-rs layout).
//
// A user install gets the addon from the platform package that npm picked among the main
// package's `optionalDependencies` (`cadenya-linux-x64-gnu`, `cadenya-darwin-arm64`, …: one
// `.node` file each). A development checkout has no platform package, so the loader falls back to
// `cadenya.<platform>.node` next to package.json (what `scripts/build-node.sh` writes).
// `CADENYA_NODE_ADDON=/path/to/file.node` overrides both.
//
// Every failure is one clear error naming the platform: an unsupported platform lists the
// supported ones, a missing platform package says how to install it, and an addon that does not
// load (corrupt, or built for another system) names the file and keeps the loader's error as
// `cause`.

const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const PREFIX = `${pkg.name}-`;

/** The platforms with a published addon package, from the main package's optionalDependencies. */
function supportedPlatforms() {
  return Object.keys(pkg.optionalDependencies || {})
    .filter((name) => name.startsWith(PREFIX))
    .map((name) => name.slice(PREFIX.length));
}

function isMusl() {
  // ldd is a shell script (glibc) or a link to the musl loader: reading it is much cheaper than
  // process.report, which is the fallback.
  try {
    return fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl');
  } catch {
    try {
      const report = process.report;
      const excluded = report.excludeNetwork;
      report.excludeNetwork = true;
      const header = report.getReport().header;
      report.excludeNetwork = excluded;
      return !(header && header.glibcVersionRuntime);
    } catch {
      return false;
    }
  }
}

/** napi-rs's platform name: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, … */
function platformName(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

class NativeAddonError extends Error {
  constructor(message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'NativeAddonError';
    this.code = 'CADENYA_NATIVE_ADDON';
  }
}

function loadFile(file, platform, origin) {
  try {
    return require(file);
  } catch (err) {
    throw new NativeAddonError(
      `cadenya: the native addon ${file} (${origin}) failed to load on ${platform}: ` +
        `${err && err.message ? err.message.split('\n')[0] : err}. The file is corrupt or was built ` +
        `for another platform; reinstall the package (npm install ${pkg.name}).`,
      err,
    );
  }
}

function resolvePackage(name) {
  try {
    return require.resolve(name);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}

function load() {
  const platform = platformName();
  if (process.env.CADENYA_NODE_ADDON) {
    return loadFile(path.resolve(process.env.CADENYA_NODE_ADDON), platform, 'CADENYA_NODE_ADDON');
  }
  const supported = supportedPlatforms();
  const packageName = PREFIX + platform;
  const fromPackage = supported.includes(platform) ? resolvePackage(packageName) : null;
  if (fromPackage) {
    const installed = require(`${packageName}/package.json`).version;
    if (installed !== pkg.version) {
      throw new NativeAddonError(
        `cadenya: ${packageName}@${installed} is installed, but ${pkg.name}@${pkg.version} needs ` +
          `the same version of its native addon; reinstall (npm install ${pkg.name}@${pkg.version}).`,
      );
    }
    return loadFile(fromPackage, platform, packageName);
  }
  const local = path.join(root, `${pkg.napi.binaryName}.${platform}.node`);
  if (fs.existsSync(local)) return loadFile(local, platform, 'local development build');
  if (!supported.includes(platform)) {
    throw new NativeAddonError(
      `cadenya: no prebuilt native addon for this platform (${platform}). ` +
        `Supported platforms: ${supported.join(', ')}. On another platform, build the addon ` +
        `from the Rust sources (bindings/node of the cadenya repository) and point ` +
        `CADENYA_NODE_ADDON at the .node file.`,
    );
  }
  throw new NativeAddonError(
    `cadenya: the native addon package ${packageName} for this platform (${platform}) is not ` +
      `installed. npm installs it as an optional dependency of ${pkg.name}: reinstall without ` +
      `--omit=optional / --no-optional, or add it explicitly (npm install ${packageName}@${pkg.version}).`,
  );
}

module.exports = load();
