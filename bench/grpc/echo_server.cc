// echo_server.cc: a C++ gRPC echo server for bench/grpc.mjs (Debian's libgrpc++, the sync API
// with its default thread pool): serves examples/grpc/echo.proto's labecho.Echo/Say on a free
// port of 127.0.0.1 and prints the port. Built by build-cpp-server.sh; not part of the addon.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>

#include "echo.grpc.pb.h"

namespace {

class Echo final : public labecho::Echo::Service {
  grpc::Status Say(grpc::ServerContext*, const labecho::SayRequest* request, labecho::SayReply* reply) override {
    reply->set_text(request->text());
    reply->set_seq(request->seq());
    return grpc::Status::OK;
  }
};

}  // namespace

int main() {
  Echo service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return 1;
  std::cout << port << std::endl;
  server->Wait();
  return 0;
}
