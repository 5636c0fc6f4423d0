// io_streams.cpp — wasi:io/streams: the input-stream and output-stream
// resources over the disp::InputStream / OutputStream interface
// (dispatcher/stream.h; the kinds: fd_stream.h, hostfns/streams.h,
// net/). Results are result<T, stream-error>: `closed` at end of stream
// or when the peer is gone, `last-operation-failed(error)` on an OS error.
// write / write-zeroes never wait and must stay within the permit
// check-write granted; the blocking-* variants wait for permits and flush.
// splice moves at most the output's current permit. subscribe returns a
// pollable that is a child of the stream (it keeps the stream alive).
#include <algorithm>
#include <utility>

#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;
using disp::InputStream;
using disp::OutputStream;

Val bytes_val(std::vector<uint8_t> bytes) { return Val::bytes(std::move(bytes)); }

std::vector<uint8_t> val_bytes(const Val& list) {
  if (list.is_bytes()) return {list.bytes().begin(), list.bytes().end()};
  std::vector<uint8_t> out;
  out.reserve(list.list_size());
  for (size_t i = 0; i < list.list_size(); ++i) out.push_back(uint8_t(list.list_item(i).u));
  return out;
}

namespace {

constexpr size_t kZeroChunk = 4096;
constexpr uint8_t kZeroes[kZeroChunk] = {};

// ok(payload) or err(stream-error) from one outcome.
Result<Vals> outcome_reply(WasiCtx& ctx, const Result<StreamOutcome>& r, std::optional<Val> payload) {
  if (!r) return r.error();
  switch (r->status) {
    case StreamStatus::ok: return reply(Val::ok(std::move(payload)));
    case StreamStatus::closed: return reply(Val::err(stream_closed()));
    case StreamStatus::failed: break;
  }
  std::optional<fs::FsErrc> code;
  if (r->os_error != 0) code = fs::fs_errc_from_errno(r->os_error);
  auto err = stream_failed(ctx, r->error, code, r->cause);
  if (!err) return err.error();
  return reply(Val::err(std::move(*err)));
}

Result<Vals> do_read(WasiCtx& ctx, const Val& self, uint64_t len, bool block, bool skip) {
  auto s = lookup<InputStream>(ctx.state, self, "input-stream");
  if (!s) return s.error();
  std::vector<uint8_t> buf;
  auto r = block ? (*s)->blocking_read(len, buf) : (*s)->read(len, buf);
  if (!r) return r.error();
  if (skip) return outcome_reply(ctx, r, Val::u64(r->count));
  return outcome_reply(ctx, r, bytes_val(std::move(buf)));
}

Result<Vals> do_write_zeroes(WasiCtx& ctx, const Val& self, uint64_t len, bool block) {
  auto s = lookup<OutputStream>(ctx.state, self, "output-stream");
  if (!s) return s.error();
  while (len > 0) {
    size_t n = size_t(std::min<uint64_t>(len, kZeroChunk));
    std::span<const uint8_t> chunk(kZeroes, n);
    auto r = block ? (*s)->write_all(chunk) : (*s)->write(chunk);
    if (!r || !r->ok()) return outcome_reply(ctx, r, std::nullopt);
    len -= n;
  }
  if (block) return outcome_reply(ctx, (*s)->blocking_flush(), std::nullopt);
  return reply(Val::ok());
}

// Moves up to min(len, the output's permit) bytes from src to self and
// returns the count.
Result<Vals> do_splice(WasiCtx& ctx, const Val& self, const Val& src, uint64_t len, bool block) {
  auto out = lookup<OutputStream>(ctx.state, self, "output-stream.splice");
  if (!out) return out.error();
  auto in = lookup<InputStream>(ctx.state, src, "output-stream.splice");
  if (!in) return in.error();
  auto permit = block ? (*out)->wait_permit() : (*out)->check_write();
  if (!permit || !permit->ok()) return outcome_reply(ctx, permit, std::nullopt);
  len = std::min(len, permit->count);
  if (len == 0) return reply(Val::ok(Val::u64(0)));
  std::vector<uint8_t> buf;
  auto r = block ? (*in)->blocking_read(len, buf) : (*in)->read(len, buf);
  if (!r || !r->ok()) return outcome_reply(ctx, r, std::nullopt);
  auto w = (*out)->write(buf);
  if (w && w->ok() && block) w = (*out)->blocking_flush();
  return outcome_reply(ctx, w, Val::u64(buf.size()));
}

template <class S>
Result<Vals> subscribe(WasiCtx& ctx, const Val& self, const char* what) {
  auto s = lookup<S>(ctx.state, self, what);
  if (!s) return s.error();
  auto p = new_pollable(ctx.state, (*s)->subscribe(), self.rep());
  if (!p) return p.error();
  return reply(std::move(*p));
}

// Calls op(stream) on the output stream behind a[0] and replies with its
// outcome (the payload: the permit for check-write, nothing otherwise).
template <class Op>
auto out_op(WasiCtx* c, const char* what, Op op, bool with_count = false) {
  return [c, what, op, with_count](Store&, std::span<const Val> a) -> Result<Vals> {
    auto s = lookup<OutputStream>(c->state, a[0], what);
    if (!s) return s.error();
    Result<StreamOutcome> r = op(**s, a);
    std::optional<Val> payload;
    if (with_count && r) payload = Val::u64(r->count);
    return outcome_reply(*c, r, std::move(payload));
  };
}

}  // namespace

void add_io_streams(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:io/streams"));
  WasiState& st = ctx.state;
  WasiCtx* c = &ctx;
  auto drop = [table = st.table](uint32_t rep) { table->drop(rep); };
  st.types.input_stream = inst.resource("input-stream", drop);
  st.types.output_stream = inst.resource("output-stream", drop);

  inst.func("[method]input-stream.read", [c](Store&, std::span<const Val> a) {
    return do_read(*c, a[0], a[1].u, false, false);
  });
  inst.func("[method]input-stream.blocking-read", [c](Store&, std::span<const Val> a) {
    return do_read(*c, a[0], a[1].u, true, false);
  });
  inst.func("[method]input-stream.skip", [c](Store&, std::span<const Val> a) {
    return do_read(*c, a[0], a[1].u, false, true);
  });
  inst.func("[method]input-stream.blocking-skip", [c](Store&, std::span<const Val> a) {
    return do_read(*c, a[0], a[1].u, true, true);
  });
  inst.func("[method]input-stream.subscribe", [c](Store&, std::span<const Val> a) {
    return subscribe<InputStream>(*c, a[0], "input-stream.subscribe");
  });

  inst.func("[method]output-stream.check-write",
            out_op(c, "output-stream.check-write", [](OutputStream& s, std::span<const Val>) { return s.check_write(); },
                   true));
  inst.func("[method]output-stream.write", out_op(c, "output-stream.write", [](OutputStream& s, std::span<const Val> a) {
              auto bytes = val_bytes(a[1]);
              return s.write(bytes);
            }));
  inst.func("[method]output-stream.blocking-write-and-flush",
            out_op(c, "output-stream.blocking-write-and-flush", [](OutputStream& s, std::span<const Val> a) {
              auto bytes = val_bytes(a[1]);
              return s.write_all(bytes);
            }));
  inst.func("[method]output-stream.flush",
            out_op(c, "output-stream.flush", [](OutputStream& s, std::span<const Val>) { return s.flush(); }));
  inst.func("[method]output-stream.blocking-flush",
            out_op(c, "output-stream.blocking-flush", [](OutputStream& s, std::span<const Val>) {
              return s.blocking_flush();
            }));
  inst.func("[method]output-stream.write-zeroes", [c](Store&, std::span<const Val> a) {
    return do_write_zeroes(*c, a[0], a[1].u, false);
  });
  inst.func("[method]output-stream.blocking-write-zeroes-and-flush", [c](Store&, std::span<const Val> a) {
    return do_write_zeroes(*c, a[0], a[1].u, true);
  });
  inst.func("[method]output-stream.splice", [c](Store&, std::span<const Val> a) {
    return do_splice(*c, a[0], a[1], a[2].u, false);
  });
  inst.func("[method]output-stream.blocking-splice", [c](Store&, std::span<const Val> a) {
    return do_splice(*c, a[0], a[1], a[2].u, true);
  });
  inst.func("[method]output-stream.subscribe", [c](Store&, std::span<const Val> a) {
    return subscribe<OutputStream>(*c, a[0], "output-stream.subscribe");
  });
}

}  // namespace wippy::hostfns
