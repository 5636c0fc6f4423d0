// wippy/require_cxx20.h — stops a build of wippy's C++ headers with one
// clear message, instead of errors deep inside them, when the compiler is not
// in C++20 mode (or is compiling C). Included first by every C++ public
// header. After the #error, the include of a file that does not exist ends
// the compilation (GCC and Clang treat a missing include as fatal), so no
// follow-on errors bury the message.
#pragma once

#if !defined(__cplusplus)
#error "wippy: <wippy/runtime.h> and the other C++ headers of wippy need a C++20 compiler; this is a C compilation."
#include "wippy: stopped: C++ header included from C"
#elif (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "wippy: the wippy headers need C++20: compile with -std=c++20 (or later)."
#include "wippy: stopped: C++20 required"
#endif
