// Unit tests for interp/decode.
#include <doctest/doctest.h>
