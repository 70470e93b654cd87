// echo-server.mjs: the grpc-js echo server bench/grpc.mjs loads (its own process, one event
// loop: one core at most). Serves examples/grpc/echo.proto's labecho.Echo/Say; prints its port.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

const proto = fileURLToPath(new URL('../../examples/grpc/echo.proto', import.meta.url));
const echo = grpc.loadPackageDefinition(loader.loadSync(proto, { keepCase: true, longs: String })).labecho.Echo;
const server = new grpc.Server();
server.addService(echo.service, { Say: (call, callback) => callback(null, call.request) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(port);
});
process.on('SIGTERM', () => process.exit(0));
