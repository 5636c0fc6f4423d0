// no_std_streams.cpp — std::ios_base::Init made a no-op in the static
// wippy-run (cli/meson.build links it with -Wl,--wrap for the two symbols).
//
// Every yaml-cpp object that includes <iostream> constructs a static
// ios_base::Init, and the first one builds cin/cout/cerr/clog, their wide
// twins and the classic locale at process start: 46,000 instructions and
// 8 page faults of every `wippy-run run`, even one that reads no YAML.
// wippy-run never uses the standard stream objects: it writes through fmt
// and file descriptors. The same link wraps each of the eight stream
// objects' symbols without defining a wrapper, so any code that refers to
// one of them fails to link instead of reaching an unbuilt stream. A
// stringstream (yaml-cpp's) still builds the classic locale on first use.
extern "C" void __wrap__ZNSt8ios_base4InitC1Ev(void*) {}
extern "C" void __wrap__ZNSt8ios_base4InitD1Ev(void*) {}
