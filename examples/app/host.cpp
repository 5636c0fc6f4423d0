// host.cpp — the C++ embedding API (wippy/engine.h, linker.h, instance.h)
// in one program:
//   app-host-cpp APP.component.wasm
// loads the component from bytes, provides the host interface my:app/host
// (greet: string -> string), calls my:app/api#handle with a record (as
// values and as JSON), then starts the runaway my:app/api#spin and
// interrupts it from another thread. Prints one line per step.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <wippy/engine.h>
#include <wippy/instance.h>
#include <wippy/linker.h>

using wippy::component::Val;
using wippy::component::ValKind;
namespace api = wippy::api;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: app-host-cpp APP.component.wasm\n");
    return 2;
  }
  // The component's bytes, from wherever the embedder keeps them.
  std::ifstream file(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};

  api::Engine engine;
  auto component = api::Component::from_bytes(engine, bytes);
  if (!component) {
    std::fprintf(stderr, "load: %s\n", component.error().message.c_str());
    return 1;
  }

  api::Linker linker(engine);
  linker.define_func("my:app/host", "greet", {{ValKind::String}, ValKind::String},
                     [](std::span<const Val> args) -> wippy::Result<std::vector<Val>> {
                       return std::vector<Val>{Val::string("hello, " + args[0].str)};
                     });

  api::InstanceOptions opts;
  opts.wasi.args = {"app"};
  opts.limits.memory_bytes = 64 << 20;
  auto inst = linker.instantiate(*component, opts);
  if (!inst) {
    std::fprintf(stderr, "instantiate: %s\n", inst.error().message.c_str());
    return 1;
  }

  // A record argument as values: request { name, times }.
  std::vector<Val> args{Val::record({Val::string("wippy"), Val::u32(2)})};
  auto out = inst->call("my:app/api#handle", args);
  if (!out) {
    std::fprintf(stderr, "handle: %s\n", out.error().message.c_str());
    return 1;
  }
  std::printf("handle: %s\n", out->at(0).str.c_str());

  // The same call with JSON.
  auto json = inst->call_json("my:app/api#handle", {R"({"name":"json","times":1})"});
  if (!json) {
    std::fprintf(stderr, "handle (json): %s\n", json.error().message.c_str());
    return 1;
  }
  std::printf("handle json: %s\n", json->c_str());

  // A runaway call, interrupted from another thread.
  api::InterruptHandle stop = inst->interrupt_handle();
  auto started = std::chrono::steady_clock::now();
  std::thread stopper([stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.interrupt();
  });
  auto spun = inst->call_json("my:app/api#spin", {"0"});
  stopper.join();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (spun) {
    std::fprintf(stderr, "spin returned %s: it was not interrupted\n", spun->c_str());
    return 1;
  }
  std::printf("spin: %s: %s%s\n", wippy::error_kind_name(spun.error().kind), spun.error().message.c_str(),
              ms.count() >= 200 ? "" : " (too early)");
  return 0;
}
