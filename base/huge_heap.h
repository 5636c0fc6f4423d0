// huge_heap.h — the process's malloc heap on transparent huge pages, for a
// short-lived process that fills a fresh heap (wippy-run).
// Contract:
//  * put_heap_on_huge_pages() moves the point where glibc's main heap
//    grows next up to a 2 MiB boundary and asks the kernel for transparent
//    huge pages from there on (madvise MADV_HUGEPAGE). The heap's first
//    touches then fault once per 2 MiB instead of once per 4 KiB, which is
//    most of what a fresh process pays for its heap on a virtual machine.
//  * The heap reserves kHugeHeapReserve of address space at once, all of
//    it advised (growth past it is on 4 KiB pages again), gives memory back
//    only when twice that is free at its end, and serves blocks below
//    kHugeHeapMmapBytes itself (glibc would mmap blocks from 128 KiB on,
//    one fault per 4 KiB page).
//  * Call it once, on the main thread, before any other thread starts. The
//    cost: up to 2 MiB of address space skipped (never touched), and
//    touched heap memory is resident 2 MiB at a time.
//  * glibc 2.33 or later only, and not under AddressSanitizer (its own
//    allocator): elsewhere kHugeHeapSupported is false and the call does
//    nothing. Returns whether the advice was given. When the heap is not
//    where glibc's statistics place it (or cannot grow), nothing is kept
//    and glibc's default settings are restored; when only madvise refuses
//    (a kernel without huge pages) the heap stays moved, on 4 KiB pages.
//  * put_thread_heap_on_huge_pages(), on a thread started later (runtime/
//    calls it at the start of each worker thread), does the same for that
//    thread's malloc arena, and only when put_heap_on_huge_pages() moved the
//    main heap (else it does nothing: an embedder's heap is left alone). glibc
//    grows a thread's arena by a page at a time (one mprotect and one fault
//    each), so the call grows it once by kThreadHeapBytes, advises that
//    part for huge pages and frees it; the arena keeps it (trimming waits
//    for twice kHugeHeapReserve). Nothing is advised unless the block came
//    from an arena of the thread's own (glibc's chunk flags), so memory
//    outside that block is never touched. Returns whether advice was given.
#pragma once
#include <cstddef>
#if __has_include(<features.h>)
#include <features.h>  // __GLIBC__
#endif

namespace wippy {

// Sanitizers (GCC's and Clang's spellings) bring their own allocator.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WIPPY_SANITIZED_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define WIPPY_SANITIZED_HEAP 1
#endif
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)) && \
    !defined(WIPPY_SANITIZED_HEAP)
#define WIPPY_HUGE_HEAP 1
#else
#define WIPPY_HUGE_HEAP 0
#endif
inline constexpr bool kHugeHeapSupported = WIPPY_HUGE_HEAP;

// A transparent huge page (x86-64 and arm64 with 4 KiB base pages): the
// one spelling of the size for base/ and the layers above.
inline constexpr size_t kHugePageBytes = size_t(2) << 20;
inline constexpr size_t kHugeHeapReserve = size_t(32) << 20;
inline constexpr size_t kHugeHeapMmapBytes = size_t(32) << 20;
// Below kHugeHeapMmapBytes, so an arena serves it.
inline constexpr size_t kThreadHeapBytes = kHugeHeapReserve - kHugePageBytes;

bool put_heap_on_huge_pages();
bool put_thread_heap_on_huge_pages();

}  // namespace wippy
