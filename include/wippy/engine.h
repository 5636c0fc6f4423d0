// wippy/engine.h — the embedding API's code objects: an Engine, and the
// core Modules and Components it loads from bytes or files, each decoded
// and validated once and then instantiated any number of times through a
// Linker (wippy/linker.h) into Instances (wippy/instance.h).
//
//   wippy::api::Engine engine;
//   auto comp = wippy::api::Component::from_bytes(engine, bytes);
//   if (!comp) { /* comp.error(): ErrorKind::Malformed or Invalid */ }
//
// Contract:
//  * from_bytes/from_file decode and validate; a failure is Malformed (not
//    decodable) or Invalid (fails validation), with the offset or index in
//    the message. from_file also fails (Io) for anything but a readable
//    regular file no larger than EngineOptions::max_module_bytes. A Module
//    may also be given as WebAssembly text (from_wat, or a file starting
//    with '(').
//  * Compiled code: a Module's interpreter code, and the code of every core
//    module inside a Component, is prepared once and shared by all their
//    instances (functions compile on first call).
//  * Exceptions: functions returning Result report every failure as an
//    error value, running out of memory included (ErrorKind::Exhaustion).
//    Constructors and the functions returning plain containers (imports(),
//    Linker::define_*) may throw std::bad_alloc, as std containers do;
//    nothing else is thrown by any function of this API.
// Errors are Result<T> (wippy/base/result.h): ErrorKind says what went
// wrong, message says where.
#pragma once
#include "require_cxx20.h"  // first: a clear error before any C++20 code

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wippy/version.h"

namespace wippy::api {

// Threads: a plain value, copied into the Engine.
struct EngineOptions {
  uint64_t max_module_bytes = 256ull << 20;  // from_file refuses larger files
  // Stack of the fiber each call runs on when the caller is not already on
  // a fiber (wippy/instance.h), and its preemption time slice. Guest code
  // is preempted every slice to serve timers, I/O and interrupt requests.
  uint32_t fiber_stack_bytes = 256 * 1024;
  uint32_t time_slice_ms = 10;
};

// The shared context of Modules, Components, Linkers and Instances.
// Threads: thread-safe. An Engine is a handle to immutable shared state:
// copies are cheap and refer to the same engine; any number of threads may
// load, link and instantiate with one Engine at once.
class Engine {
 public:
  explicit Engine(EngineOptions opts = {});
  const EngineOptions& options() const;

  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A decoded and validated core WebAssembly module.
// Threads: thread-safe. Immutable after creation; copies share it; it may
// be instantiated by several threads at once.
class Module {
 public:
  static Result<Module> from_bytes(const Engine& engine, std::span<const uint8_t> bytes);
  static Result<Module> from_wat(const Engine& engine, std::string_view text);
  static Result<Module> from_file(const Engine& engine, const std::filesystem::path& path);

  // Imports as "module.name", and function exports, in declaration order.
  std::vector<std::string> imports() const;
  std::vector<std::string> exports() const;

  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A decoded and validated component (the component model).
// Threads: thread-safe, as Module.
class Component {
 public:
  static Result<Component> from_bytes(const Engine& engine, std::span<const uint8_t> bytes);
  static Result<Component> from_file(const Engine& engine, const std::filesystem::path& path);

  // The names of its imports ("wasi:cli/stdout@0.2.0", "my:app/host").
  std::vector<std::string> imports() const;

  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace wippy::api
