// embed.cpp — embedding wippy: load a registry, call an entry, print the
// result. Built against libwippy (pkg-config wippy when installed).
//   embed REGISTRY.yaml ENTRY [JSON-ARG...]
// With only REGISTRY.yaml it calls hello:greet with component values built
// in C++ instead of JSON.
#include <cstdio>
#include <string>
#include <vector>

#include <wippy/runtime.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: embed REGISTRY.yaml [ENTRY [JSON-ARG...]]\n");
    return 2;
  }
  auto rt = wippy::Runtime::load(std::vector<std::filesystem::path>{argv[1]});
  if (!rt) {
    std::fprintf(stderr, "load failed: %s\n", rt.error().message.c_str());
    return 1;
  }
  wippy::Runtime& runtime = **rt;

  wippy::Result<wippy::CallOutput> out = wippy::make_error(wippy::ErrorKind::Other, "not called");
  if (argc == 2) {
    // greet({text: "embedder", shout: true}) with values.
    using wippy::component::Val;
    std::vector<Val> args{Val::record({Val::string("embedder"), Val::boolean(true)})};
    out = runtime.call("hello:greet", args);
  } else {
    std::vector<std::string> json(argv + 3, argv + argc);
    out = runtime.call_json(argv[2], json);
  }
  if (!out) {
    std::fprintf(stderr, "call failed: %s\n", out.error().message.c_str());
    return 1;
  }
  if (out->exit_code) return *out->exit_code;
  std::printf("%s\n", out->json.c_str());
  return 0;
}
