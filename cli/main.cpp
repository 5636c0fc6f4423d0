// wippy-run — command-line entry point (subcommands are added per issue).
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  std::fprintf(stderr, "usage: wippy-run wast FILE... | run FILE --invoke NAME [ARG...]\n");
  return 2;
}
