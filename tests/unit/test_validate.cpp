// Unit tests for interp/validate.
#include <doctest/doctest.h>
