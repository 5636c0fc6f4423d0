// kernel_list.cpp — see kernel_list.h. Default sizes aim at roughly 0.3-1 s
// per interpreted run (measured on the development machine).
#include "kernel_list.h"

extern "C" {
int fib_run(int);
int sieve_run(int);
int matmul_run(int);
int sha256_run(int);
int hashtable_run(int);
int memops_run(int);
int coremark_run(int);
}

namespace wippy::bench {

namespace {
constexpr KernelInfo kKernels[] = {
    {"fib", "recursive Fibonacci (calls)", 37, fib_run, false},
    {"sieve", "sieve of Eratosthenes over 1 Mi bytes", 30, sieve_run, false},
    {"matmul", "128x128 f64 matrix multiply", 20, matmul_run, false},
    {"sha256", "SHA-256 of a 16 KiB buffer", 300, sha256_run, true},
    {"hashtable", "open addressing, string keys", 150, hashtable_run, false},
    {"memops", "byte/word fill and copy loops, 256 KiB", 300, memops_run, false},
    {"coremark", "lists, small matrices, state machine, CRC16", 600, coremark_run, false},
    // -msimd128 builds (<name>_simd.wasm) against the same native code
    {"matmul_simd", "matmul built with -msimd128", 20, matmul_run, false},
    {"sha256_simd", "sha256 built with -msimd128", 300, sha256_run, true},
    {"memops_simd", "memops built with -msimd128", 300, memops_run, false},
};
}  // namespace

std::span<const KernelInfo> all_kernels() { return kKernels; }

}  // namespace wippy::bench
