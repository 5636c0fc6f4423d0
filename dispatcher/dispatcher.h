// dispatcher.h — the public face of dispatcher/: cooperative fibers on one
// epoll event loop per thread. Include this; the other headers are its
// parts (loop.h: Loop and its options; pollable.h: wasi:io/poll-shaped waits;
// this_fiber.h: calls on the running fiber; fd_watch.h: callback interest
// for c-ares; errc.h: outcomes; clock.h: the monotonic time base). The I/O
// model the WASI host builds on: stream.h (the wasi:io stream interface),
// fd_stream.h (streams over a descriptor), wait.h (wait_any in or out of a
// fiber).
//
// Mapping for the WASI host (the layer above):
//   monotonic-clock.now                 -> now_ns()
//   monotonic-clock.subscribe-instant   -> Pollable::at(t)
//   monotonic-clock.subscribe-duration  -> Pollable::after(d)
//   stream subscribe (fd-backed)        -> Pollable::readable(fd, owner) / writable(fd, owner)
//   stream subscribe (in-memory)        -> Pollable::always(), or Pollable::on(event),
//                                          Event::notify() on data
//   pollable.ready / pollable.block     -> Pollable::ready() / this_fiber::block
//   poll(list)                          -> this_fiber::poll -> PollResult::ready
//   Store::interrupt + on_interrupt     -> this_fiber::attach_interrupt_flag(&store.interrupt)
//                                          and this_fiber::on_interrupt() in the hook
#pragma once
#include "dispatcher/clock.h"
#include "dispatcher/errc.h"
#include "dispatcher/fd_watch.h"
#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"
#include "dispatcher/this_fiber.h"
