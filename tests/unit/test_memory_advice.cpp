// Large active data segments ask for transparent huge pages
// (interp/runtime/memory_map.h, advise_data_blocks): the 2 MiB block a big
// segment fills is advised (VmFlags "hg" in /proc/self/smaps), a block that
// receives one small segment is not, and the contents are the segments'.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tests/unit/mapping_at.h"
#include "tests/unit/wat_module.h"

using namespace wippy;


TEST_CASE("data segments: a 2 MiB block the copy fills is advised for huge pages, one small segment's is not") {
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  if (!thp) {
    MESSAGE("this kernel has no transparent huge pages: the advice is a no-op here");
    return;
  }
  // 2.5 MiB from 2 MiB on; 16 bytes at 8 MiB. The memory is 12.5 MiB.
  const std::string big(2560 * 1024, 'a');
  const std::string src = "(module (memory (export \"m\") 200) (data (i32.const 0x200000) \"" + big +
                          "\") (data (i32.const 0x800000) \"0123456789abcdef\"))";
  Store s;
  Instance* inst = testing::load_wat(s, src);
  MemoryInst* mem = inst->export_memory("m");
  REQUIRE(mem != nullptr);
  CHECK(mem->data[0x200000] == 'a');
  CHECK(mem->data[0x200000 + big.size() - 1] == 'a');
  CHECK(mem->data[0x200000 + big.size()] == 0);
  CHECK(mem->data[0x800000 + 15] == 'f');
  // Whatever the memory's alignment, the 2 MiB block holding offset 3 MiB
  // lies inside the memory and gets at least 1 MiB of the big segment.
  const std::string advised = testing::mapping_at(mem->data + 0x300000).flags;
  const std::string small = testing::mapping_at(mem->data + 0x800000).flags;
  REQUIRE(!advised.empty());
  REQUIRE(!small.empty());
  CHECK(advised.find(" hg") != std::string::npos);
  CHECK(small.find(" hg") == std::string::npos);
}
