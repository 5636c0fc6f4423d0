/* memops.c — memory-bandwidth kernel: hand-written fill and copy loops
 * (bytes, 32-bit words, 64-bit words, overlapping backward moves) over a
 * 256 KiB arena. Built with -fno-builtin so the loops stay loops instead of
 * becoming library calls. run(n) does n passes with shifting offsets and
 * returns a checksum sampled from the arena after every pass. */
#include "kernel.h"

#define ARENA (256u * 1024u)
#define HALF (ARENA / 2u)

static u64 arena64[ARENA / 8u]; /* 8-byte aligned storage */

static void fill_bytes(u8* dst, u8 v, u32 len) {
  for (u32 i = 0; i < len; i++) dst[i] = v;
}

static void copy_bytes(u8* dst, const u8* src, u32 len) {
  for (u32 i = 0; i < len; i++) dst[i] = src[i];
}

static void copy_words32(u32* dst, const u32* src, u32 count) {
  for (u32 i = 0; i < count; i++) dst[i] = src[i];
}

static void fill_words64(u64* dst, u64 v, u32 count) {
  for (u32 i = 0; i < count; i++) dst[i] = v;
}

static void copy_words64(u64* dst, const u64* src, u32 count) {
  for (u32 i = 0; i < count; i++) dst[i] = src[i];
}

/* memmove for dst > src: copies from the end. */
static void move_back(u8* dst, const u8* src, u32 len) {
  while (len != 0) {
    len--;
    dst[len] = src[len];
  }
}

static u32 sample(const u8* p) {
  u32 h = 0;
  for (u32 i = 0; i < ARENA; i += 4093u) h = k_mix(h, p[i]);
  return h;
}

int KERNEL_ENTRY(run)(int n) {
  u8* bytes = (u8*)arena64;
  u32* words = (u32*)arena64;
  u32 h = 0;
  for (int r = 0; r < n; r++) {
    u32 shift = (u32)r % 61u;
    fill_words64(arena64, 0x0101010101010101ull * (u64)(r & 0xff), ARENA / 8u);
    for (u32 i = 0; i < 256; i++) bytes[i * 97u] = (u8)(i + (u32)r);
    fill_bytes(bytes + shift, (u8)(r * 3), 4096u);
    copy_bytes(bytes + HALF + shift, bytes + 1u, HALF - 64u);
    copy_words32(words, words + HALF / 4u, HALF / 4u);
    move_back(bytes + 7u, bytes, HALF);
    copy_words64(arena64 + HALF / 8u, arena64, HALF / 8u);
    h = k_mix(h, sample(bytes));
  }
  return (int)h;
}
