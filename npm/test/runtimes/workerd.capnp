# workerd config for the conformance run. workerd.mjs passes the socket
# address (127.0.0.1 with port 0, so the kernel picks a free port) with
# --socket-addr and reads the port back from --control-fd.
#
# The module names mirror the paths under npm/, so the relative imports in
# src/ and test/ resolve as they do on disk. The worker loads the package
# through src/workerd.js, the entry of the `workerd` export condition, which
# imports the .wasm file as a compiled WebAssembly.Module.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "conformance", worker = .worker)],
  sockets = [(name = "http", http = (), service = "conformance")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "test/runtimes/workerd-worker.js", esModule = embed "workerd-worker.js"),
    (name = "test/runtimes/vector-texts.js", esModule = embed "vector-texts.js"),
    (name = "test/vector-runner.js", esModule = embed "../vector-runner.js"),
    (name = "src/workerd.js", esModule = embed "../../src/workerd.js"),
    (name = "src/api.js", esModule = embed "../../src/api.js"),
    (name = "pkg/mem8_guard_wasm.js", esModule = embed "../../pkg/mem8_guard_wasm.js"),
    (name = "pkg/mem8_guard_wasm_bg.wasm", wasm = embed "../../pkg/mem8_guard_wasm_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
