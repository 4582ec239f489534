#pragma once
// Small-object pool for coroutine frames, futures, tasks and handles.
//
// Why: a task costs a frame and a TaskImpl, a timer a HandleState; with
// 10^6 of them alive, malloc/free cost ~350 instructions a pair and 16 bytes
// of header each (bench/README.md). The pool keeps one free list per 8-byte
// size class (up to 1 KiB) per thread, coroutine frames apart from other
// objects (PoolKind), carved from 64 KiB chunks, so a
// steady state (explore's many short runs, spawn/join loops) allocates
// nothing from malloc, and a 56-byte future takes 56 bytes.
//
// Alignment: pool_allocate(n) is 16-aligned when n is a multiple of 16 and
// 8-aligned otherwise. That is all an object needs (sizeof is a multiple of
// alignof, so a type aligned to 16 has a size that is a multiple of 16).
// A coroutine frame's size need not be a multiple of its alignment, so
// frames are rounded up to 16 (FramePoolAllocated).
//
// Rules that keep it safe:
//   - Per thread: no locks; an object freed on another thread than the one
//     that allocated it joins that thread's list (fine: a chunk is never
//     returned, so its memory stays valid whoever holds it).
//   - Chunks are kept for the life of the process (reused, never unmapped):
//     a simulator's memory stays at its high-water mark.
//   - Past the first 4 MiB a thread's chunks are cut from 2 MiB slabs
//     advised for transparent huge pages (pool.cpp, ChunkSource: fewer TLB
//     misses in large simulations).
//   - Under AddressSanitizer (or with SIMLOOP_DISABLE_POOL defined when
//     building simloop) every call goes straight to operator new/delete, so
//     use-after-free and leaks are still reported.
#include <cstddef>
#include <new>

namespace simloop::detail {

// Coroutine frames have free lists (and chunks) of their own: a task and its
// frame are often the same size, and sharing lists made memory reused by the
// next run come back interleaved in the order it was freed, not in address
// order (bench W4's warm repetitions: 280 ns against 202; bench/README.md).
enum class PoolKind : unsigned char { object, frame };

// n is the size of the object; see "Alignment" above.
void* pool_allocate(std::size_t n, PoolKind kind = PoolKind::object);
void pool_deallocate(void* p, std::size_t n, PoolKind kind = PoolKind::object) noexcept;
// False when simloop was built with ASan or SIMLOOP_DISABLE_POOL: every
// block then comes straight from operator new.
bool pool_enabled() noexcept;

// This thread's huge-page slabs (all zero when the pool is off).
struct PoolStats {
  std::size_t slabs = 0;          // 2 MiB slabs mapped
  std::size_t slabs_advised = 0;  // of which madvise(MADV_HUGEPAGE) accepted
  std::size_t slab_bytes = 0;     // bytes of chunks cut from slabs
};
PoolStats pool_stats() noexcept;

// Inherit to allocate a class (and everything derived from it) from the pool.
// The class needs a virtual destructor if objects are deleted through a base.
struct PoolAllocated {
  static void* operator new(std::size_t n) { return pool_allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { pool_deallocate(p, n); }
  // Over-aligned types bypass the pool (its blocks are 16-byte aligned).
  static void* operator new(std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
  // (Unsized on purpose: clang 14 has no sized deallocation by default.)
  static void operator delete(void* p, std::size_t, std::align_val_t a) noexcept { ::operator delete(p, a); }
};

// For a coroutine promise: the frame is allocated through it, with the
// frame's size, rounded up here so that any frame gets a 16-aligned block.
struct FramePoolAllocated {
  static constexpr std::size_t round16(std::size_t n) noexcept { return (n + 15) & ~std::size_t{15}; }
  static void* operator new(std::size_t n) { return pool_allocate(round16(n), PoolKind::frame); }
  static void operator delete(void* p, std::size_t n) noexcept { pool_deallocate(p, round16(n), PoolKind::frame); }
  static void* operator new(std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
  static void operator delete(void* p, std::size_t, std::align_val_t a) noexcept { ::operator delete(p, a); }
};

}  // namespace simloop::detail
