'use strict'
// The public module: the napi addon wrapped by api.cjs (typed errors, hidden credentials).
module.exports = require('./api.cjs').build(require('./native.cjs'))
