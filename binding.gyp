{
  "variables": { "sanitize%": 0 },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden", "-O2"],
    "conditions": [
      # The sanitizer build (scripts/build-sanitized.sh) at -O0 -g1: a third less compile CPU than
      # -O1 -g, and CI compiles it beside the tests. -O0 hides no access from ASan; line tables (-g1) still
      # give every frame of a report its file and line.
      ["sanitize==1", {
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-O0", "-g1"],
        "ldflags": ["-fsanitize=address,undefined"]
      }],
      ["OS=='mac'", {
        "xcode_settings": {
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
          "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
          "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra"],
          "MACOSX_DEPLOYMENT_TARGET": "11.0"
        }
      }]
    ]
  },
  "targets": [
    {
      "target_name": "ratetest",
      "sources": [
        "native/binding.cc",
        "native/plan.cc",
        "native/result.cc",
        "native/run.cc",
        "native/pump.cc",
        "native/transport_plain.cc",
        "native/transport_tls.cc",
        "native/session_http1.cc",
        "native/session_h2.cc",
        "native/h2_session.cc",
        "native/h2_pool.cc",
        "native/h2_request.cc",
        "native/grpc_response.cc",
        "native/tls.cc",
        "native/conn.cc",
        "native/response.cc",
        "native/recorder.cc",
        "native/histogram.cc",
        "native/interval_recorder.cc",
        "native/request_source.cc",
        "native/template_plan.cc",
        "native/template_source.cc",
        "native/schedule_query.cc"
      ],
      "conditions": [
        ["OS=='linux'", { "sources": ["native/poller_epoll.cc", "native/ring.cc", "native/transport_ring.cc"], "libraries": ["-lpthread"] }],
        ["OS=='mac' or OS=='freebsd' or OS=='openbsd'", { "sources": ["native/poller_kqueue.cc"] }]
      ]
    }
  ],
  "conditions": [
    # The test-only addon (the entry points tests drive native units through) is built in a
    # checkout, never in an installed package, which ships without native/test_binding.cc.
    ["'<!(node -p \"require('fs').existsSync('native/test_binding.cc')\")'=='true'", {
      "targets": [
        {
          "target_name": "ratetest_test",
          "sources": [
            "native/test_binding.cc",
            "native/response.cc",
            "native/request_source.cc",
            "native/template_plan.cc",
            "native/template_source.cc"
          ]
        }
      ]
    }]
  ]
}
