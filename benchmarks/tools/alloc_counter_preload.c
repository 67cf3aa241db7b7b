// alloc_counter_preload.so: counts heap allocations per thread in an unmodified program.
//
//   RINGRESS_ALLOC_COUNTER_FILE=/tmp/counts LD_PRELOAD=.../alloc_counter_preload.so ringress ...
//
// Interposes malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc and the global
// operator new family (whose allocations are counted once, as `new`, not again as malloc).
// The counters live in RINGRESS_ALLOC_COUNTER_FILE, mapped MAP_SHARED, so the harness reads
// them at any moment without a signal or a stop (ringress blocks the usual signals and takes
// them with sigwaitinfo). Layout: struct Shared below; each thread has its own slot (its kernel
// tid and its counts) and only that thread writes it.
//
// Debug mode: with RINGRESS_ALLOC_BACKTRACE_FILE=/path, every allocation counted while
// Shared.armed != 0 (the harness sets it) by a thread other than the main one appends a record
// to that file: {tid, size, kind, depth, depth return addresses}, all uint64. The harness maps
// the addresses to functions with /proc/<pid>/maps and the binaries' symbols.
//
// Plain C and no allocation of its own, so the hooks cannot recurse.
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { kSlots = 256, kMaxDepth = 24 };
enum Kind { kMalloc, kCalloc, kRealloc, kAligned, kNew, kKinds };

struct Slot {
  uint64_t tid;
  uint64_t count[kKinds];
  uint64_t pad[8 - 1 - kKinds];
};

struct Shared {
  uint64_t magic;  // "ALLOCCNT"
  uint64_t slots;  // kSlots
  uint64_t armed;  // written by the harness: record backtraces while non-zero
  uint64_t used;   // slots handed out so far (the last slot takes any overflow)
  uint64_t pad[4];
  struct Slot slot[kSlots];
};

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static struct Shared* g_shared;
static int g_trace_fd = -1;
static pid_t g_main_tid;
static __thread int t_slot = -1;
static __thread int t_busy;  // inside a hook (backtrace, operator new -> malloc)

static pid_t current_tid(void) { return (pid_t)syscall(SYS_gettid); }

static struct Slot* my_slot(void) {
  if (g_shared == NULL) return NULL;
  if (t_slot < 0) {
    uint64_t i = __atomic_fetch_add(&g_shared->used, 1, __ATOMIC_RELAXED);
    t_slot = (int)(i < kSlots ? i : kSlots - 1);
    __atomic_store_n(&g_shared->slot[t_slot].tid, (uint64_t)current_tid(), __ATOMIC_RELAXED);
  }
  return &g_shared->slot[t_slot];
}

static void trace(enum Kind kind, size_t size) {
  if (g_trace_fd < 0 || !__atomic_load_n(&g_shared->armed, __ATOMIC_RELAXED)) return;
  pid_t tid = current_tid();
  if (tid == g_main_tid) return;
  uint64_t rec[4 + kMaxDepth];
  void* frames[kMaxDepth];
  int depth = backtrace(frames, kMaxDepth);
  rec[0] = (uint64_t)tid;
  rec[1] = size;
  rec[2] = kind;
  rec[3] = (uint64_t)depth;
  for (int i = 0; i < depth; ++i) rec[4 + i] = (uint64_t)(uintptr_t)frames[i];
  ssize_t unused = write(g_trace_fd, rec, sizeof(uint64_t) * (4 + (size_t)depth));
  (void)unused;
}

static void count(enum Kind kind, size_t size) {
  if (t_busy) return;
  struct Slot* s = my_slot();
  if (s == NULL) return;
  __atomic_store_n(&s->count[kind], s->count[kind] + 1, __ATOMIC_RELAXED);
  t_busy = 1;
  trace(kind, size);
  t_busy = 0;
}

__attribute__((constructor)) static void alloc_counter_init(void) {
  g_main_tid = current_tid();
  const char* path = getenv("RINGRESS_ALLOC_COUNTER_FILE");
  if (path == NULL || path[0] == '\0') return;
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (ftruncate(fd, sizeof(struct Shared)) == 0) {
    void* p = mmap(NULL, sizeof(struct Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) {
      g_shared = (struct Shared*)p;
      g_shared->slots = kSlots;
      memcpy(&g_shared->magic, "ALLOCCNT", 8);
    }
  }
  close(fd);
  const char* trace_path = getenv("RINGRESS_ALLOC_BACKTRACE_FILE");
  if (g_shared != NULL && trace_path != NULL && trace_path[0] != '\0') {
    // The first backtrace() loads libgcc_s (and allocates): do it now, outside any hook.
    void* warm[4];
    t_busy = 1;
    backtrace(warm, 4);
    t_busy = 0;
    g_trace_fd = open(trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  }
}

void* malloc(size_t n) {
  count(kMalloc, n);
  return __libc_malloc(n);
}

void* calloc(size_t n, size_t size) {
  count(kCalloc, n * size);
  return __libc_calloc(n, size);
}

void* realloc(void* p, size_t n) {
  count(kRealloc, n);
  return __libc_realloc(p, n);
}

void* memalign(size_t alignment, size_t n) {
  count(kAligned, n);
  return __libc_memalign(alignment, n);
}

void* aligned_alloc(size_t alignment, size_t n) {
  count(kAligned, n);
  return __libc_memalign(alignment, n);
}

int posix_memalign(void** out, size_t alignment, size_t n) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  count(kAligned, n);
  void* p = __libc_memalign(alignment, n);
  if (p == NULL) return ENOMEM;
  *out = p;
  return 0;
}

// The global operator new family, by mangled name. A failed throwing new aborts (no C++ here).
static void* counted_new(size_t n, size_t alignment) {
  count(kNew, n);
  int was_busy = t_busy;
  t_busy = 1;
  void* p = alignment ? __libc_memalign(alignment, n ? n : 1) : __libc_malloc(n ? n : 1);
  t_busy = was_busy;
  return p;
}
static void* counted_new_or_abort(size_t n, size_t alignment) {
  void* p = counted_new(n, alignment);
  if (p == NULL) abort();
  return p;
}

void* _Znwm(size_t n) { return counted_new_or_abort(n, 0); }
void* _Znam(size_t n) { return counted_new_or_abort(n, 0); }
void* _ZnwmRKSt9nothrow_t(size_t n, const void* tag) {
  (void)tag;
  return counted_new(n, 0);
}
void* _ZnamRKSt9nothrow_t(size_t n, const void* tag) {
  (void)tag;
  return counted_new(n, 0);
}
void* _ZnwmSt11align_val_t(size_t n, size_t al) { return counted_new_or_abort(n, al); }
void* _ZnamSt11align_val_t(size_t n, size_t al) { return counted_new_or_abort(n, al); }
void* _ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void* tag) {
  (void)tag;
  return counted_new(n, al);
}
void* _ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void* tag) {
  (void)tag;
  return counted_new(n, al);
}
