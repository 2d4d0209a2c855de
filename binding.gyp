# Builds the shipped addon (prebuildify / node-gyp). CMakeLists.txt builds the
# same core for native tests, sanitizers, fuzzing and micro-benchmarks.
{
  "variables": {
    "lmdb_dir": "<!(node scripts/locate.js lmdb)"
  },
  "target_defaults": {
    "cflags": ["-O3", "-fvisibility=hidden", "-fPIC"],
    "cflags_cc": ["-O3", "-std=c++17", "-fvisibility=hidden", "-fvisibility-inlines-hidden", "-fexceptions"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14", "-std=c++14"]
  },
  "targets": [
    {
      # LMDB 0.9 (data format v1) from the pinned npm package, with
      # native/patches/ applied by scripts/locate.js to a copy in .deps/.
      "target_name": "lmdb",
      "type": "static_library",
      "sources": ["<(lmdb_dir)/mdb.c", "<(lmdb_dir)/midl.c"],
      # -fexceptions: the core's LMDB assertion callback throws through LMDB's frames.
      "cflags": ["-w", "-fexceptions"],
      "direct_dependent_settings": {"include_dirs": ["<(lmdb_dir)"]}
    },
    {
      "target_name": "arroy_ts",
      "dependencies": ["lmdb", "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "sources": [
        "<!@(node scripts/locate.js sources core)",
        "<!@(node scripts/locate.js sources binding)"
      ],
      "include_dirs": ["native/core", "native/binding"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: in a worker_thread being
      # terminated, JS cannot be called and napi_throw fails; without it
      # node-addon-api would turn that into a C++ exception nobody catches.
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-Wl,--exclude-libs,ALL", "-Wl,-Bsymbolic", "-pthread"]
    }
  ]
}
