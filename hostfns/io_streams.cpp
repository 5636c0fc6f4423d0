// io_streams.cpp — wasi:io/streams: input-stream and output-stream
// resources over the InputStream / OutputStream objects of streams.h.
// Results are result<T, stream-error>: `closed` at end of stream or when
// the peer is gone, `last-operation-failed(error)` on an OS error. Writes
// are unbuffered, so flush always succeeds and the "-and-flush" variants
// equal the plain ones. subscribe returns a pollable for the descriptor (or
// an always-ready one for in-memory streams).
#include <algorithm>
#include <utility>

#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

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

// ok(payload) or err(stream-error) from one outcome.
Val outcome_val(WasiCtx& ctx, const StreamOutcome& o, std::optional<Val> payload) {
  switch (o.status) {
    case StreamStatus::ok: return Val::ok(std::move(payload));
    case StreamStatus::closed: return Val::err(stream_closed());
    case StreamStatus::failed: break;
  }
  return Val::err(stream_failed(ctx, o.error, o.code));
}

Result<Vals> do_read(WasiCtx& ctx, const Val& self, uint64_t len, bool block, bool skip) {
  auto s = lookup(ctx.state.inputs, self, "input-stream");
  if (!s) return s.error();
  std::vector<uint8_t> buf;
  auto r = block ? (*s)->blocking_read(len, buf) : (*s)->read(len, buf);
  if (!r) return r.error();
  if (skip) return reply(outcome_val(ctx, *r, Val::u64(r->count)));
  return reply(outcome_val(ctx, *r, bytes_val(std::move(buf))));
}

Result<Vals> do_write(WasiCtx& ctx, const Val& self, const std::vector<uint8_t>& bytes) {
  auto s = lookup(ctx.state.outputs, self, "output-stream");
  if (!s) return s.error();
  auto r = (*s)->write(bytes.data(), bytes.size());
  if (!r) return r.error();
  return reply(outcome_val(ctx, *r, std::nullopt));
}

Result<Vals> do_write_zeroes(WasiCtx& ctx, const Val& self, uint64_t len) {
  auto s = lookup(ctx.state.outputs, self, "output-stream");
  if (!s) return s.error();
  static constexpr uint8_t zeroes[kZeroChunk] = {};
  while (len > 0) {
    size_t n = size_t(std::min<uint64_t>(len, kZeroChunk));
    auto r = (*s)->write(zeroes, n);
    if (!r) return r.error();
    if (r->status != StreamStatus::ok) return reply(outcome_val(ctx, *r, std::nullopt));
    len -= n;
  }
  return reply(Val::ok());
}

// Reads up to len from src and writes it all to self; returns the count.
Result<Vals> do_splice(WasiCtx& ctx, const Val& self, const Val& src, uint64_t len, bool block) {
  auto out = lookup(ctx.state.outputs, self, "output-stream.splice");
  if (!out) return out.error();
  auto in = lookup(ctx.state.inputs, src, "output-stream.splice");
  if (!in) return in.error();
  std::vector<uint8_t> buf;
  auto r = block ? (*in)->blocking_read(len, buf) : (*in)->read(len, buf);
  if (!r) return r.error();
  if (r->status != StreamStatus::ok) return reply(outcome_val(ctx, *r, std::nullopt));
  auto w = (*out)->write(buf.data(), buf.size());
  if (!w) return w.error();
  return reply(outcome_val(ctx, *w, Val::u64(buf.size())));
}

Result<Vals> subscribe(WasiCtx& ctx, disp::Pollable p) {
  uint32_t rep = ctx.state.pollables.insert(std::make_unique<disp::Pollable>(std::move(p)));
  return reply(Val::own(ctx.state.types.pollable, rep));
}

}  // namespace

void add_io_streams(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:io/streams"));
  WasiState& st = ctx.state;
  WasiCtx* c = &ctx;
  st.types.input_stream = inst.resource("input-stream", [&st](uint32_t rep) { st.inputs.erase(rep); });
  st.types.output_stream = inst.resource("output-stream", [&st](uint32_t rep) { st.outputs.erase(rep); });

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
  inst.func("[method]input-stream.subscribe", [c](Store&, std::span<const Val> a) -> Result<Vals> {
    auto s = lookup(c->state.inputs, a[0], "input-stream.subscribe");
    if (!s) return s.error();
    return subscribe(*c, (*s)->subscribe());
  });

  inst.func("[method]output-stream.check-write", [c](Store&, std::span<const Val> a) -> Result<Vals> {
    auto s = lookup(c->state.outputs, a[0], "output-stream.check-write");
    if (!s) return s.error();
    auto r = (*s)->check_write();
    if (!r) return r.error();
    return reply(outcome_val(*c, *r, Val::u64(r->count)));
  });
  auto write = [c](Store&, std::span<const Val> a) { return do_write(*c, a[0], val_bytes(a[1])); };
  inst.func("[method]output-stream.write", write);
  inst.func("[method]output-stream.blocking-write-and-flush", write);
  auto flush = [c](Store&, std::span<const Val> a) -> Result<Vals> {
    auto s = lookup(c->state.outputs, a[0], "output-stream.flush");
    if (!s) return s.error();
    return reply(Val::ok());
  };
  inst.func("[method]output-stream.flush", flush);
  inst.func("[method]output-stream.blocking-flush", flush);
  auto zeroes = [c](Store&, std::span<const Val> a) { return do_write_zeroes(*c, a[0], a[1].u); };
  inst.func("[method]output-stream.write-zeroes", zeroes);
  inst.func("[method]output-stream.blocking-write-zeroes-and-flush", zeroes);
  inst.func("[method]output-stream.splice", [c](Store&, std::span<const Val> a) {
    return do_splice(*c, a[0], a[1], a[2].u, false);
  });
  inst.func("[method]output-stream.blocking-splice", [c](Store&, std::span<const Val> a) {
    return do_splice(*c, a[0], a[1], a[2].u, true);
  });
  inst.func("[method]output-stream.subscribe", [c](Store&, std::span<const Val> a) -> Result<Vals> {
    auto s = lookup(c->state.outputs, a[0], "output-stream.subscribe");
    if (!s) return s.error();
    return subscribe(*c, (*s)->subscribe());
  });
}

}  // namespace wippy::hostfns
