// Preloaded into the Portkey gateway (node --require) by tests/integration/portkey_test.sh: its start-server
// takes a port but no address and would listen on every interface; a listen(port) without a host is made a
// listen(port, '127.0.0.1') here so the test's gateway is reachable from this machine only.
const net = require('net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
