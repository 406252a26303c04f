'use strict';
// Stand-in for packages that Bolt imports only for receivers the Lambda never constructs (ExpressReceiver,
// SocketModeReceiver, HTTPReceiver's body reader). infra/constructs/handler-function.ts aliases them to this file
// at bundle time, which keeps about 1 MB (express, body parsers, iconv tables, undici) out of the Slack handler.
// Bolt only touches them inside those receivers' methods, so loading is safe; any actual use fails loudly.
function notInLambda() {
  throw new Error('shim-fix: this package is not bundled into the Lambda handlers (see infra/constructs/handler-function.ts)');
}

class SocketModeClient {
  constructor() {
    notInLambda();
  }
}

notInLambda.Router = notInLambda;
notInLambda.SocketModeClient = SocketModeClient;
module.exports = notInLambda;
