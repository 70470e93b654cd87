#!/usr/bin/env bash
# build-cpp-server.sh: builds bench/grpc/echo_server.cc against Debian's gRPC C++ packages into
# bench/grpc/build/echo-server, for bench/grpc.mjs --cpp-server.
#
#   apt-get install -y --no-install-recommends libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc pkg-config
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
protoc -I ../../examples/grpc --cpp_out=build --grpc_out=build --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" echo.proto
# shellcheck disable=SC2046
g++ -std=c++17 -O2 -Wall -Wextra -Ibuild echo_server.cc build/echo.pb.cc build/echo.grpc.pb.cc \
  $(pkg-config --cflags --libs grpc++ protobuf) -o build/echo-server
echo "built $(pwd)/build/echo-server"
