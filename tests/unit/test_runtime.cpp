// Unit tests for interp/runtime.
#include <doctest/doctest.h>
