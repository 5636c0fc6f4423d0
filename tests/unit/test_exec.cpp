// Unit tests for interp/exec.
#include <doctest/doctest.h>
