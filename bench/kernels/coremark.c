/* coremark.c — a CoreMark-like mixed workload (written for wippy; not the
 * EEMBC code). Each iteration runs four parts on data derived from a seed:
 *   - list:    a 200-node singly linked list in an index-linked arena:
 *              searches, in-place reversal, merge sort by value, then merge
 *              sort back by original position;
 *   - matrix:  16x16 16-bit matrices: add/multiply by a constant, matrix x
 *              vector, matrix x matrix, and a bit-field extracting variant;
 *   - state:   a number-recognising state machine over a 256-byte string of
 *              comma-separated tokens, some of them corrupted;
 *   - crc:     CRC-16 (reflected 0xA001 polynomial) chaining all the above.
 * run(n) performs n iterations and returns the final CRC with a digest of
 * the per-part results. */
#include "kernel.h"

/* ---------------------------------------------------------------- CRC-16 */

static u16 crc16_byte(u16 crc, u8 b) {
  crc ^= b;
  for (u32 i = 0; i < 8; i++) crc = (u16)((crc & 1u) ? (crc >> 1) ^ 0xA001u : crc >> 1);
  return crc;
}

static u16 crc16_u16(u16 crc, u16 v) { return crc16_byte(crc16_byte(crc, (u8)v), (u8)(v >> 8)); }

static u16 crc16_u32(u16 crc, u32 v) { return crc16_u16(crc16_u16(crc, (u16)v), (u16)(v >> 16)); }

/* ------------------------------------------------------------ linked list */

#define LIST_NODES 200u
#define NIL 0xffffu

struct node {
  u16 next;
  i16 value;
  u16 pos; /* original position, to restore order */
};

static struct node nodes[LIST_NODES];

static u16 list_build(u32* seed) {
  for (u32 i = 0; i < LIST_NODES; i++) {
    nodes[i].value = (i16)((i32)(k_rand(seed) & 0x3ff) - 512);
    nodes[i].pos = (u16)i;
    nodes[i].next = i + 1 < LIST_NODES ? (u16)(i + 1) : NIL;
  }
  return 0;
}

static u16 list_find(u16 head, i16 value) {
  for (u16 p = head; p != NIL; p = nodes[p].next)
    if (nodes[p].value == value) return p;
  return NIL;
}

static u16 list_reverse(u16 head) {
  u16 prev = NIL;
  while (head != NIL) {
    u16 next = nodes[head].next;
    nodes[head].next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

static int node_less(u16 a, u16 b, int by_pos) {
  if (by_pos) return nodes[a].pos < nodes[b].pos;
  if (nodes[a].value != nodes[b].value) return nodes[a].value < nodes[b].value;
  return nodes[a].pos < nodes[b].pos;
}

/* Bottom-up merge sort of the list (stable). */
static u16 list_sort(u16 head, int by_pos) {
  for (u32 width = 1;; width *= 2) {
    u16 p = head, tail = NIL;
    u32 merges = 0;
    head = NIL;
    while (p != NIL) {
      merges++;
      u16 q = p;
      u32 psize = 0;
      for (u32 i = 0; i < width && q != NIL; i++) {
        psize++;
        q = nodes[q].next;
      }
      u32 qsize = width;
      while (psize > 0 || (qsize > 0 && q != NIL)) {
        u16 e;
        if (psize == 0) {
          e = q;
          q = nodes[q].next;
          qsize--;
        } else if (qsize == 0 || q == NIL || !node_less(q, p, by_pos)) {
          e = p;
          p = nodes[p].next;
          psize--;
        } else {
          e = q;
          q = nodes[q].next;
          qsize--;
        }
        if (tail != NIL)
          nodes[tail].next = e;
        else
          head = e;
        tail = e;
      }
      p = q;
    }
    nodes[tail].next = NIL;
    if (merges <= 1) return head;
  }
}

static u16 list_part(u16 crc, u32* seed) {
  u16 head = list_build(seed);
  u32 found = 0, missed = 0;
  for (u32 i = 0; i < 24; i++) {
    i16 want = (i16)((i32)(k_rand(seed) & 0x3ff) - 512);
    u16 at = list_find(head, want);
    if (at == NIL) {
      missed++;
    } else {
      found += nodes[at].pos;
    }
    if (i % 6u == 5u) head = list_reverse(head);
  }
  head = list_sort(head, 0);
  u16 p = head;
  for (u32 i = 0; i < 16 && p != NIL; i++, p = nodes[p].next) crc = crc16_u16(crc, (u16)nodes[p].value);
  head = list_sort(head, 1);
  for (p = head; p != NIL; p = nodes[p].next) crc = crc16_u16(crc, nodes[p].pos);
  crc = crc16_u32(crc, found);
  return crc16_u32(crc, missed);
}

/* ----------------------------------------------------------------- matrix */

#define MD 16u

static i16 ma[MD * MD], mb[MD * MD];
static i32 mc[MD * MD];

static u32 matrix_sum(const i32* m, i32 clip) {
  /* counts how often a running sum crosses `clip`, like a checksum of scale */
  i32 acc = 0;
  u32 crossings = 0;
  for (u32 i = 0; i < MD * MD; i++) {
    acc += m[i];
    if (acc > clip) {
      crossings += 10;
      acc = 0;
    } else {
      crossings += acc > 0 ? 1u : 0u;
    }
  }
  return crossings;
}

static void mat_add_const(i16* m, i16 v) {
  for (u32 i = 0; i < MD * MD; i++) m[i] = (i16)(m[i] + v);
}

static void mat_mul_const(i32* out, const i16* m, i16 v) {
  for (u32 i = 0; i < MD * MD; i++) out[i] = (i32)m[i] * (i32)v;
}

static void mat_vec(i32* out, const i16* m, const i16* v) {
  for (u32 i = 0; i < MD; i++) {
    i32 s = 0;
    for (u32 j = 0; j < MD; j++) s += (i32)m[i * MD + j] * (i32)v[j];
    out[i] = s;
  }
}

static void mat_mat(i32* out, const i16* x, const i16* y) {
  for (u32 i = 0; i < MD; i++)
    for (u32 j = 0; j < MD; j++) {
      i32 s = 0;
      for (u32 k = 0; k < MD; k++) s += (i32)x[i * MD + k] * (i32)y[k * MD + j];
      out[i * MD + j] = s;
    }
}

static void mat_mat_bits(i32* out, const i16* x, const i16* y) {
  for (u32 i = 0; i < MD; i++)
    for (u32 j = 0; j < MD; j++) {
      i32 s = 0;
      for (u32 k = 0; k < MD; k++) {
        i32 prod = (i32)x[i * MD + k] * (i32)y[k * MD + j];
        s += (prod >> 2) & 0xf;
        s += (prod >> 5) & 0x7f;
      }
      out[i * MD + j] = s;
    }
}

static u16 matrix_part(u16 crc, u32* seed) {
  for (u32 i = 0; i < MD * MD; i++) {
    ma[i] = (i16)((i32)(k_rand(seed) & 0xff) - 128);
    mb[i] = (i16)((i32)(k_rand(seed) & 0xff) - 100);
  }
  i16 c = (i16)(k_rand(seed) & 0x7f);
  mat_add_const(ma, c);
  mat_mul_const(mc, ma, c);
  crc = crc16_u32(crc, matrix_sum(mc, 4000));
  mat_vec(mc, ma, mb);
  crc = crc16_u32(crc, matrix_sum(mc, 4000));
  mat_mat(mc, ma, mb);
  crc = crc16_u32(crc, matrix_sum(mc, 4000));
  mat_mat_bits(mc, ma, mb);
  crc = crc16_u32(crc, matrix_sum(mc, 4000));
  mat_add_const(ma, (i16)-c);
  return crc;
}

/* ---------------------------------------------------------- state machine */

enum state { S_START, S_SIGN, S_INT, S_POINT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_BAD, S_COUNT };

#define TEXT_LEN 256u

static char text[TEXT_LEN];
static u32 final_counts[S_COUNT];
static u32 transition_counts[S_COUNT];

static const char* const token_shapes[8] = {"5012", "1.23", "-110.700", "+0.64e-3", "4e17", "-.8", "33a", "9.E+2"};

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static void text_build(u32* seed) {
  u32 at = 0;
  while (at + 1 < TEXT_LEN) {
    const char* s = token_shapes[k_rand(seed) & 7u];
    for (u32 i = 0; s[i] != 0 && at + 1 < TEXT_LEN; i++) text[at++] = s[i];
    if (at + 1 < TEXT_LEN) text[at++] = ',';
  }
  text[TEXT_LEN - 1] = 0;
  /* corrupt a few characters */
  for (u32 i = 0; i < 4; i++) text[k_rand(seed) % (TEXT_LEN - 1)] = (char)('!' + (k_rand(seed) & 31u));
}

static enum state step(enum state s, char ch) {
  switch (s) {
    case S_START:
      if (is_digit(ch)) return S_INT;
      if (ch == '+' || ch == '-') return S_SIGN;
      if (ch == '.') return S_POINT;
      return S_BAD;
    case S_SIGN:
      if (is_digit(ch)) return S_INT;
      if (ch == '.') return S_POINT;
      return S_BAD;
    case S_INT:
      if (is_digit(ch)) return S_INT;
      if (ch == '.') return S_POINT;
      if (ch == 'e' || ch == 'E') return S_EXP;
      return S_BAD;
    case S_POINT:
    case S_FRAC:
      if (is_digit(ch)) return S_FRAC;
      if (ch == 'e' || ch == 'E') return S_EXP;
      return S_BAD;
    case S_EXP:
      if (ch == '+' || ch == '-') return S_EXP_SIGN;
      if (is_digit(ch)) return S_EXP_INT;
      return S_BAD;
    case S_EXP_SIGN:
    case S_EXP_INT:
      if (is_digit(ch)) return S_EXP_INT;
      return S_BAD;
    default:
      return S_BAD;
  }
}

static u16 state_part(u16 crc, u32* seed) {
  text_build(seed);
  for (u32 i = 0; i < S_COUNT; i++) final_counts[i] = transition_counts[i] = 0;
  u32 i = 0;
  while (text[i] != 0) {
    enum state s = S_START;
    while (text[i] != 0 && text[i] != ',') {
      enum state next = step(s, text[i]);
      if (next != s) transition_counts[next]++;
      s = next;
      i++;
    }
    final_counts[s]++;
    if (text[i] == ',') i++;
  }
  for (u32 k = 0; k < S_COUNT; k++) {
    crc = crc16_u32(crc, final_counts[k]);
    crc = crc16_u32(crc, transition_counts[k]);
  }
  return crc;
}

/* ------------------------------------------------------------------ entry */

int KERNEL_ENTRY(run)(int n) {
  u16 crc = 0;
  u32 digest = 0;
  for (int it = 0; it < n; it++) {
    u32 seed = (u32)it * 0x10001u + crc;
    u16 a = list_part(crc, &seed);
    u16 b = matrix_part(a, &seed);
    u16 c = state_part(b, &seed);
    crc = c;
    digest = k_mix(digest, ((u32)a << 16) | b);
  }
  return (int)k_mix(digest, crc);
}
