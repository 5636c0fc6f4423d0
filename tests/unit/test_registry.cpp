// Unit tests for runtime/ (registry).
#include <doctest/doctest.h>
