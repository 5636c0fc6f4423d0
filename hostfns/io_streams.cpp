// io_streams.cpp — wasi:io/streams: the input-stream and output-stream
// resources over the disp::InputStream / OutputStream interface
// (dispatcher/stream.h; the kinds: fd_stream.h, hostfns/streams.h,
// net/). Results are result<T, stream-error>: `closed` at end of stream
// or when the peer is gone, `last-operation-failed(error)` on an OS error.
// write / write-zeroes never wait and must stay within the permit
// check-write granted; the blocking-* variants wait for permits and flush.
// splice moves at most the output's current permit. subscribe returns a
// pollable that is a child of the stream (it keeps the stream alive).
// Bound through the typed API (component/bind.h).
#include <algorithm>
#include <utility>

#include "hostfns/bind_names.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using disp::InputStream;
using disp::OutputStream;

namespace {

constexpr size_t kZeroChunk = 4096;
constexpr uint8_t kZeroes[kZeroChunk] = {};

// variant stream-error { last-operation-failed(own<error>), closed }
using StreamError = std::variant<WitCase<"last-operation-failed", Own<IoError>>, WitCase<"closed">>;
template <class T = void>
using StreamReply = Result<WitResult<T, StreamError>>;
using Bytes = std::vector<uint8_t>;
using Inputs = HostResource<InputStream>;
using Outputs = HostResource<OutputStream>;

// ok(payload) or err(stream-error) from one outcome.
template <class T = void, class... P>
StreamReply<T> outcome_reply(WasiCtx& ctx, const Result<StreamOutcome>& r, P&&... payload) {
  using Out = WitResult<T, StreamError>;
  if (!r) return r.error();
  switch (r->status) {
    case StreamStatus::ok: return Out(wit_ok(std::forward<P>(payload)...));
    case StreamStatus::closed: return Out(wit_err(StreamError(WitCase<"closed">{})));
    case StreamStatus::failed: break;
  }
  std::optional<fs::FsErrc> code;
  if (r->os_error != 0) code = fs::fs_errc_from_errno(r->os_error);
  auto err = new_own<IoError>(ctx.state, ctx.state.types.error,
                              std::make_shared<IoError>(IoError{r->error, code, r->cause}));
  if (!err) return err.error();
  return Out(wit_err(StreamError(WitCase<"last-operation-failed", Own<IoError>>{std::move(*err)})));
}

// read / blocking-read (the bytes) and skip / blocking-skip (their count).
template <class T>
StreamReply<T> do_read(WasiCtx& ctx, const Inputs& inputs, const Borrow<InputStream>& self, uint64_t len,
                       bool block) {
  auto s = in(ctx, inputs).get(self);
  if (!s) return s.error();
  Bytes buf;
  auto r = block ? (*s)->blocking_read(len, buf) : (*s)->read(len, buf);
  if (!r || !r->ok()) return outcome_reply<T>(ctx, r, T{});
  if constexpr (std::is_same_v<T, Bytes>) return outcome_reply<T>(ctx, r, std::move(buf));
  else return outcome_reply<T>(ctx, r, uint64_t(r->count));
}

StreamReply<> do_write_zeroes(WasiCtx& ctx, const Outputs& outputs, const Borrow<OutputStream>& self, uint64_t len,
                              bool block) {
  auto s = in(ctx, outputs).get(self);
  if (!s) return s.error();
  while (len > 0) {
    size_t n = size_t(std::min<uint64_t>(len, kZeroChunk));
    std::span<const uint8_t> chunk(kZeroes, n);
    auto r = block ? (*s)->write_all(chunk) : (*s)->write(chunk);
    if (!r || !r->ok()) return outcome_reply(ctx, r);
    len -= n;
  }
  if (block) return outcome_reply(ctx, (*s)->blocking_flush());
  return WitResult<void, StreamError>(wit_ok());
}

// Moves up to min(len, the output's permit) bytes from src to self and
// returns the count.
StreamReply<uint64_t> do_splice(WasiCtx& ctx, const Inputs& inputs, const Outputs& outputs,
                                const Borrow<OutputStream>& self, const Borrow<InputStream>& src, uint64_t len,
                                bool block) {
  auto out = in(ctx, outputs).get(self);
  if (!out) return out.error();
  auto from = in(ctx, inputs).get(src);
  if (!from) return from.error();
  auto permit = block ? (*out)->wait_permit() : (*out)->check_write();
  if (!permit || !permit->ok()) return outcome_reply<uint64_t>(ctx, permit, uint64_t(0));
  len = std::min(len, permit->count);
  if (len == 0) return WitResult<uint64_t, StreamError>(wit_ok(uint64_t(0)));
  Bytes buf;
  auto r = block ? (*from)->blocking_read(len, buf) : (*from)->read(len, buf);
  if (!r || !r->ok()) return outcome_reply<uint64_t>(ctx, r, uint64_t(0));
  auto w = (*out)->write(buf);
  if (w && w->ok() && block) w = (*out)->blocking_flush();
  return outcome_reply<uint64_t>(ctx, w, uint64_t(buf.size()));
}

// A pollable watching the stream behind `self`, a child of its handle.
template <class S>
Result<Own<disp::Pollable>> subscribe(WasiCtx& ctx, const HostResource<S>& streams, const Borrow<S>& self) {
  auto s = in(ctx, streams).get(self);
  if (!s) return s.error();
  return new_own<disp::Pollable>(ctx.state, ctx.state.types.pollable,
                                 std::make_shared<disp::Pollable>((*s)->subscribe()), self.rep());
}

// A stream method without a payload in: op(stream) and its outcome (with
// the permit as payload for check-write).
template <class T, class Op>
auto out_op(const Outputs& outputs, Op op) {
  return [outputs, op](WasiCtx& ctx, Borrow<OutputStream> self) -> StreamReply<T> {
    auto s = in(ctx, outputs).get(self);
    if (!s) return s.error();
    Result<StreamOutcome> r = op(**s);
    if constexpr (std::is_void_v<T>) return outcome_reply(ctx, r);
    else return outcome_reply<T>(ctx, r, r ? uint64_t(r->count) : uint64_t(0));
  };
}

}  // namespace

void add_io_streams(Linker& linker, WasiTypes& types) {
  HostInterface inst(linker, wasi_iface("wasi:io/streams"));
  const Inputs inputs = inst.context_resource<InputStream, WasiCtx>("input-stream");
  const Outputs outputs = inst.context_resource<OutputStream, WasiCtx>("output-stream");
  types.input_stream = inputs.type();
  types.output_stream = outputs.type();

  for (bool block : {false, true}) {
    const std::string pre = block ? "[method]input-stream.blocking-" : "[method]input-stream.";
    inst.func(pre + "read", [inputs, block](WasiCtx& ctx, Borrow<InputStream> self, uint64_t len) {
      return do_read<Bytes>(ctx, inputs, self, len, block);
    });
    inst.func(pre + "skip", [inputs, block](WasiCtx& ctx, Borrow<InputStream> self, uint64_t len) {
      return do_read<uint64_t>(ctx, inputs, self, len, block);
    });
  }
  inst.func("[method]input-stream.subscribe",
            [inputs](WasiCtx& ctx, Borrow<InputStream> self) { return subscribe<InputStream>(ctx, inputs, self); });

  inst.func("[method]output-stream.check-write",
            out_op<uint64_t>(outputs, [](OutputStream& s) { return s.check_write(); }));
  inst.func("[method]output-stream.write",
            [outputs](WasiCtx& ctx, Borrow<OutputStream> self, std::span<const uint8_t> bytes) -> StreamReply<> {
              auto s = in(ctx, outputs).get(self);
              if (!s) return s.error();
              return outcome_reply(ctx, (*s)->write(bytes));
            });
  inst.func("[method]output-stream.blocking-write-and-flush",
            [outputs](WasiCtx& ctx, Borrow<OutputStream> self, std::span<const uint8_t> bytes) -> StreamReply<> {
              auto s = in(ctx, outputs).get(self);
              if (!s) return s.error();
              return outcome_reply(ctx, (*s)->write_all(bytes));
            });
  inst.func("[method]output-stream.flush", out_op<void>(outputs, [](OutputStream& s) { return s.flush(); }));
  inst.func("[method]output-stream.blocking-flush",
            out_op<void>(outputs, [](OutputStream& s) { return s.blocking_flush(); }));
  inst.func("[method]output-stream.write-zeroes", [outputs](WasiCtx& ctx, Borrow<OutputStream> self, uint64_t len) {
    return do_write_zeroes(ctx, outputs, self, len, false);
  });
  inst.func("[method]output-stream.blocking-write-zeroes-and-flush",
            [outputs](WasiCtx& ctx, Borrow<OutputStream> self, uint64_t len) {
              return do_write_zeroes(ctx, outputs, self, len, true);
            });
  for (bool block : {false, true}) {
    inst.func(block ? "[method]output-stream.blocking-splice" : "[method]output-stream.splice",
              [inputs, outputs, block](WasiCtx& ctx, Borrow<OutputStream> self, Borrow<InputStream> src, uint64_t len) {
                return do_splice(ctx, inputs, outputs, self, src, len, block);
              });
  }
  inst.func("[method]output-stream.subscribe",
            [outputs](WasiCtx& ctx, Borrow<OutputStream> self) { return subscribe<OutputStream>(ctx, outputs, self); });
}

}  // namespace wippy::hostfns
