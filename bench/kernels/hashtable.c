/* hashtable.c — pointer-chasing/string kernel: open-addressing hash table
 * with string keys (FNV-1a hash, linear probing, tombstones on delete).
 * run(n) does n rounds over a fresh table; each round inserts or bumps 4096
 * keys of the form "k<number>" (drawn with repeats), looks up 4096 keys of
 * which about half are absent, and deletes every third key it finds.
 * Returns a checksum of lookup results, counts and the live-entry count. */
#include "kernel.h"

#define SLOTS (1u << 14) /* power of two, kept under half full */
#define OPS 4096u
#define POOL_BYTES (OPS * 16u)

enum { EMPTY = 0, LIVE = 1, DEAD = 2 };

struct entry {
  u32 hash;
  u32 key_off; /* into pool */
  u32 key_len;
  u32 value;
  u32 state;
};

static struct entry table[SLOTS];
static char pool[POOL_BYTES];
static u32 pool_used;
static u32 live_count;

static u32 fnv1a(const char* s, u32 len) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < len; i++) {
    h ^= (u8)s[i];
    h *= 16777619u;
  }
  return h;
}

static int same_key(const char* a, const char* b, u32 len) {
  for (u32 i = 0; i < len; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Writes "k" followed by the decimal digits of v; returns the length. */
static u32 make_key(char* out, u32 v) {
  char digits[12];
  u32 nd = 0;
  do {
    digits[nd++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  out[0] = 'k';
  for (u32 i = 0; i < nd; i++) out[1 + i] = digits[nd - 1 - i];
  return nd + 1;
}

/* Index of the live entry for the key, or SLOTS if absent. */
static u32 find(const char* key, u32 len, u32 hash) {
  u32 i = hash & (SLOTS - 1);
  for (;;) {
    struct entry* e = &table[i];
    if (e->state == EMPTY) return SLOTS;
    if (e->state == LIVE && e->hash == hash && e->key_len == len &&
        same_key(&pool[e->key_off], key, len))
      return i;
    i = (i + 1) & (SLOTS - 1);
  }
}

/* Adds 1 to the key's value, inserting it (value 1) if absent. */
static void bump(const char* key, u32 len) {
  u32 hash = fnv1a(key, len);
  u32 at = find(key, len, hash);
  if (at != SLOTS) {
    table[at].value++;
    return;
  }
  u32 i = hash & (SLOTS - 1);
  while (table[i].state == LIVE) i = (i + 1) & (SLOTS - 1);
  for (u32 k = 0; k < len; k++) pool[pool_used + k] = key[k];
  table[i].hash = hash;
  table[i].key_off = pool_used;
  table[i].key_len = len;
  table[i].value = 1;
  table[i].state = LIVE;
  pool_used += len;
  live_count++;
}

static u32 round_once(u32 seed) {
  for (u32 i = 0; i < SLOTS; i++) table[i].state = EMPTY;
  pool_used = 0;
  live_count = 0;
  char key[16];
  for (u32 op = 0; op < OPS; op++) {
    u32 len = make_key(key, k_rand(&seed) % (OPS * 3u / 4u));
    bump(key, len);
  }
  u32 h = 0, found = 0;
  for (u32 op = 0; op < OPS; op++) {
    u32 len = make_key(key, k_rand(&seed) % (OPS * 3u / 2u));
    u32 hash = fnv1a(key, len);
    u32 at = find(key, len, hash);
    if (at == SLOTS) {
      h = k_mix(h, op);
      continue;
    }
    found++;
    h = k_mix(h, table[at].value);
    if (found % 3u == 0) {
      table[at].state = DEAD;
      live_count--;
    }
  }
  return k_mix(k_mix(h, found), live_count);
}

int KERNEL_ENTRY(run)(int n) {
  u32 h = 0;
  for (int r = 0; r < n; r++) h = k_mix(h, round_once((u32)r * 2654435761u + 17u));
  return (int)h;
}
