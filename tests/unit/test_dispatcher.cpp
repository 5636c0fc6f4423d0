// Unit tests for dispatcher/.
#include <doctest/doctest.h>
