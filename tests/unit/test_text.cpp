// Unit tests for interp/text.
#include <doctest/doctest.h>
