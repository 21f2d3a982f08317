'use strict';
// Finds and loads the native addon (`cadenya.<platform>-<arch>[-gnu|-musl].node`), built from
// `bindings/node` by `scripts/test-node.sh` (or `scripts/build-node.sh`). `CADENYA_NODE_ADDON`
// may point at another build.

const path = require('node:path');
const fs = require('node:fs');

function libc() {
  if (process.platform !== 'linux') return '';
  try {
    const header = process.report && process.report.getReport().header;
    return header && header.glibcVersionRuntime ? '-gnu' : '-musl';
  } catch {
    return '-gnu';
  }
}

function candidates() {
  const root = path.join(__dirname, '..');
  const out = [];
  if (process.env.CADENYA_NODE_ADDON) out.push(path.resolve(process.env.CADENYA_NODE_ADDON));
  out.push(path.join(root, `cadenya.${process.platform}-${process.arch}${libc()}.node`));
  out.push(path.join(root, 'cadenya.node'));
  return out;
}

function load() {
  const tried = [];
  for (const file of candidates()) {
    if (!fs.existsSync(file)) {
      tried.push(`${file} (missing)`);
      continue;
    }
    return require(file);
  }
  throw new Error(
    `cadenya: no native addon for ${process.platform}-${process.arch}. Build it with scripts/build-node.sh ` +
      `(or set CADENYA_NODE_ADDON). Tried:\n  ${tried.join('\n  ')}`,
  );
}

module.exports = load();
