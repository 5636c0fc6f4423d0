// Unit tests for fs/.
#include <doctest/doctest.h>
