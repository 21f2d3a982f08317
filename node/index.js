'use strict';
// The `cadenya` package (CommonJS entry; `index.mjs` re-exports it for `import`).

const core = require('./lib/core');
const { Cadenya, API_VERSION } = require('./lib/resources');

module.exports = { ...core, Cadenya, API_VERSION, default: Cadenya };
