// pool.cpp — Pool and Lease (see pool.h).
#include "runtime/pool.h"

#include <fmt/format.h>

#include <algorithm>

#include "dispatcher/clock.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"

namespace wippy {
namespace {

constexpr uint64_t kLazyIdleNs = 30ull * 1000000000ull;
constexpr uint64_t kAdaptiveIdleNs = 5ull * 1000000000ull;

uint32_t capacity_of(const PoolConfig& pc) {
  switch (pc.type) {
    case PoolType::Inline: return 1;
    case PoolType::Static: return std::max<uint32_t>(pc.workers, 1);
    case PoolType::Lazy:
    case PoolType::Adaptive: return std::max<uint32_t>(pc.max_size, 1);
  }
  return 1;
}

}  // namespace

Lease& Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    give_back();
    pool_ = o.pool_;
    inst_ = std::move(o.inst_);
    used_ = o.used_;
    failed_ = o.failed_;
    o.pool_ = nullptr;
  }
  return *this;
}

Lease::~Lease() { give_back(); }

void Lease::give_back() {
  if (pool_ && inst_) pool_->release(std::move(inst_), used_, failed_);
  pool_ = nullptr;
}

Pool::Pool(std::shared_ptr<const Program> prog, InstanceConfig cfg, PoolConfig pc)
    : prog_(std::move(prog)), cfg_(std::move(cfg)), pc_(pc), capacity_(capacity_of(pc)) {}

Pool::~Pool() = default;

Result<std::unique_ptr<LiveInstance>> Pool::create() {
  ++live_;  // reserved before instantiating, so concurrent acquirers do not overshoot
  auto inst = LiveInstance::create(prog_, cfg_);
  if (!inst) {
    --live_;
    freed_.notify();
    return inst.error();
  }
  ++stats_.created;
  return std::move(*inst);
}

Result<void> Pool::warm() {
  uint32_t want = pc_.type == PoolType::Static ? capacity_ : 1;
  while (live_ < want) {
    auto inst = create();
    if (!inst) return inst.error();
    idle_.push_back(Idle{std::move(*inst), disp::coarse_now_ns()});
  }
  stats_.live = live_;
  stats_.idle = uint32_t(idle_.size());
  return {};
}

void Pool::trim(uint64_t now) {
  uint64_t max_idle = 0;
  size_t keep = 0;
  if (pc_.type == PoolType::Lazy) {
    max_idle = kLazyIdleNs;
  } else if (pc_.type == PoolType::Adaptive) {
    max_idle = kAdaptiveIdleNs;
    keep = 1;
  } else {
    return;
  }
  // idle_ is oldest first: drop from the front while stale.
  size_t drop = 0;
  while (drop < idle_.size() && idle_.size() - drop > keep && now - idle_[drop].since_ns > max_idle) ++drop;
  if (drop == 0) return;
  idle_.erase(idle_.begin(), idle_.begin() + long(drop));
  live_ -= uint32_t(drop);
}

Result<Lease> Pool::acquire() {
  if (pc_.type == PoolType::Static && live_ == 0) {
    if (auto w = warm(); !w) return w.error();
  }
  for (;;) {
    trim(disp::coarse_now_ns());
    if (!idle_.empty()) {
      std::unique_ptr<LiveInstance> inst = std::move(idle_.back().inst);
      idle_.pop_back();
      stats_.idle = uint32_t(idle_.size());
      return Lease(this, std::move(inst));
    }
    if (live_ < capacity_) {
      auto inst = create();
      if (!inst) return inst.error();
      stats_.live = live_;
      return Lease(this, std::move(*inst));
    }
    if (!disp::this_fiber::in_fiber())
      return make_error(ErrorKind::Other,
                        fmt::format("entry {}: all {} pooled instances are busy", prog_->entry->id, capacity_));
    freed_.reset();
    if (auto r = disp::errc_to_result(disp::this_fiber::block(freed_)); !r) return r.error();
  }
}

void Pool::release(std::unique_ptr<LiveInstance> inst, bool used, bool failed) {
  if (used) {
    const uint64_t t0 = disp::now_ns();
    Result<void> r = inst->reset(failed);
    stats_.reset_ns += disp::now_ns() - t0;
    ++stats_.resets;
    if (!r) {
      // Dropped: the next acquire may create a fresh one.
      inst.reset();
      --live_;
      stats_.live = live_;
      freed_.notify();
      return;
    }
  }
  idle_.push_back(Idle{std::move(inst), disp::coarse_now_ns()});
  stats_.idle = uint32_t(idle_.size());
  stats_.live = live_;
  freed_.notify();
}

}  // namespace wippy
