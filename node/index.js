'use strict';
// The `cadenya` package (CommonJS entry; `index.mjs` re-exports it for `import`).

const core = require('./lib/core');
const { Cadenya, API_VERSION, OPERATIONS } = require('./lib/resources');

module.exports = { ...core, Cadenya, API_VERSION, OPERATIONS, default: Cadenya };
