// Preloaded into server-everything, whose HTTP mode listens on every interface: the tests listen on 127.0.0.1 only.
// Preload: every server listens on 127.0.0.1 only, whatever host (or none) it asks for.
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const callback = args.find((a) => typeof a === 'function');
    return callback ? listen.call(this, Number(args[0]), '127.0.0.1', callback) : listen.call(this, Number(args[0]), '127.0.0.1');
  }
  if (args[0] && typeof args[0] === 'object' && 'port' in args[0]) args[0] = {...args[0], host: '127.0.0.1'};
  return listen.apply(this, args);
};
