'use strict'
// The CommonJS entry: the same module object as the ESM entry (index.mjs), loaded with
// require(esm) (Node 20.19+, 22.12+).
module.exports = require('./index.mjs').default
