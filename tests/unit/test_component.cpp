// Unit tests for component/.
#include <doctest/doctest.h>
