{
  "targets": [
    {
      "target_name": "dropcap",
      "sources": [
        "src/addon.cc",
        "src/bpf_session.cc",
        "src/clocks.cc",
        "src/counters.cc",
        "src/errors.cc",
        "src/libbpf_log.cc",
        "src/options.cc",
        "src/planes.cc",
        "src/poll_thread.cc",
        "src/stack_table.cc",
        "src/tracer.cc",
        "src/tracer_core.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../bpf",
        "../bpf/build"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-missing-field-initializers"],
      "libraries": ["-lbpf", "-lelf", "-lz", "-lpthread"],
      "ldflags": ["-Wl,-rpath,\'$$ORIGIN\'"]
    }
  ]
}
