// pool.h — warm instances of one Program serving calls (registry `pool:`).
// Contract:
//  * acquire() hands out an idle instance, creates one when the pool may
//    grow, or parks the calling dispatcher fiber until one is released
//    (outside a fiber it fails instead of waiting). A Lease gives the
//    instance back when destroyed; an instance that ran guest code is reset
//    (LiveInstance::reset: a snapshot restore, or a fresh instantiation
//    after a failed call) first, so no state leaks between calls; one whose
//    reset fails is dropped.
//  * Types (PoolConfig): inline — one instance, calls serialised; lazy — up
//    to max_size created on demand, idle ones dropped after 30 s; static —
//    `workers` instances, all created by the first acquire (or warm()) and
//    kept; adaptive — grows on demand up to max_size, keeps one warm and
//    drops the other idle ones after 5 s.
//  * A Pool belongs to one thread (its fibers share it); it is not
//    thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "dispatcher/pollable.h"
#include "runtime/instance.h"
#include "runtime/registry.h"

namespace wippy {

class Pool;

class Lease {
 public:
  Lease() = default;
  Lease(Pool* pool, std::unique_ptr<LiveInstance> inst) : pool_(pool), inst_(std::move(inst)) {}
  Lease(Lease&& o) noexcept = default;
  Lease& operator=(Lease&& o) noexcept;
  ~Lease();
  LiveInstance* operator->() const { return inst_.get(); }
  LiveInstance& operator*() const { return *inst_; }
  void mark_used() { used_ = true; }      // guest code ran: reset before reuse
  void mark_failed() { failed_ = true; }  // the call failed: make it afresh

 private:
  void give_back();
  Pool* pool_ = nullptr;
  std::unique_ptr<LiveInstance> inst_;
  bool used_ = false;
  bool failed_ = false;
};

struct PoolStats {
  uint32_t live = 0;     // instances in existence (idle + busy)
  uint32_t idle = 0;
  uint64_t created = 0;  // instantiations, resets included
  uint64_t resets = 0;
  uint64_t reset_ns = 0; // total time spent resetting
};

class Pool {
 public:
  Pool(std::shared_ptr<const Program> prog, InstanceConfig cfg, PoolConfig pc);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  Result<Lease> acquire();
  // Creates the instances a static pool keeps (others: one), ahead of calls.
  Result<void> warm();
  uint32_t capacity() const { return capacity_; }
  const PoolStats& stats() const { return stats_; }

 private:
  friend class Lease;
  struct Idle {
    std::unique_ptr<LiveInstance> inst;
    uint64_t since_ns = 0;  // disp::coarse_now_ns() when it went idle
  };
  void release(std::unique_ptr<LiveInstance> inst, bool used, bool failed);
  void trim(uint64_t now);
  Result<std::unique_ptr<LiveInstance>> create();

  std::shared_ptr<const Program> prog_;
  InstanceConfig cfg_;
  PoolConfig pc_;
  uint32_t capacity_ = 1;
  uint32_t live_ = 0;  // idle + busy + being created
  std::vector<Idle> idle_;
  disp::Pollable freed_ = disp::Pollable::manual();
  PoolStats stats_;
};

}  // namespace wippy
