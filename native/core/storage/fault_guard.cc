#include "storage/fault_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

namespace arroy {

namespace {

// LMDB reads a node at up to 64 KiB past the start of its page and a key of
// up to 64 KiB there: damaged offsets in a page at the end of the map reach
// this far past the map's end, where nothing may be mapped (SIGSEGV).
constexpr uintptr_t kMargin = 192 * 1024;
constexpr int kMarginPages = 48;

// Read by the signal handler: plain atomics only, no locks, no allocation.
struct Slot {
  std::atomic<const void*> owner{nullptr};
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<std::atomic<bool>*> damaged{nullptr};
  // Zero pages mapped past the end of the map, unmapped with the slot.
  std::atomic<uintptr_t> margin_pages[kMarginPages] = {};
};
constexpr int kSlots = 256;
Slot slots[kSlots];
std::mutex slots_mutex;  // registration only; the handler never takes it

struct sigaction previous_bus;
struct sigaction previous_segv;
uintptr_t os_page = 4096;

// initial-exec: the handler must not be the first to touch this thread's
// copy (a dynamic TLS allocation is not async-signal-safe); it is static TLS.
__attribute__((tls_model("initial-exec"))) thread_local uint64_t faults_here = 0;

void pass_on(int sig, siginfo_t* info, void* context) {
  const struct sigaction& before = sig == SIGBUS ? previous_bus : previous_segv;
  if (before.sa_flags & SA_SIGINFO) {
    before.sa_sigaction(sig, info, context);
  } else if (before.sa_handler == SIG_IGN) {
    return;
  } else if (before.sa_handler == SIG_DFL) {
    // Returning re-runs the faulting access, which now takes the default
    // action: the process dies as it would have without this handler.
    signal(sig, SIG_DFL);
  } else {
    before.sa_handler(sig);
  }
}

// A page of zeros past the end of the map, only where nothing is mapped
// (MAP_FIXED_NOREPLACE; an older kernel that ignores the flag may place it
// elsewhere, which is undone).
bool map_margin_page(Slot& slot, uintptr_t page) {
  for (std::atomic<uintptr_t>& kept : slot.margin_pages) {
    uintptr_t none = 0;
    if (!kept.compare_exchange_strong(none, page)) continue;
    void* got = mmap(reinterpret_cast<void*>(page), os_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                     -1, 0);
    if (got == reinterpret_cast<void*>(page)) return true;
    if (got != MAP_FAILED) munmap(got, os_page);
    kept.store(0);
    return false;
  }
  return false;
}

void on_fault(int sig, siginfo_t* info, void* context) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(info->si_addr);
  const uintptr_t page = at & ~(os_page - 1);
  for (Slot& slot : slots) {
    const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    const uintptr_t end = slot.end.load(std::memory_order_acquire);
    if (begin == 0 || at < begin || at >= end + kMargin) continue;
    // A protection fault is not a vanished page: the map is read-only and
    // nothing here may write it.
    if (sig == SIGSEGV && info->si_code != SEGV_MAPERR) break;
    if (at < end) {
      if (mmap(reinterpret_cast<void*>(page), os_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          MAP_FAILED) {
        break;
      }
    } else if (sig != SIGSEGV || !map_margin_page(slot, page)) {
      break;
    }
    std::atomic<bool>* damaged = slot.damaged.load(std::memory_order_acquire);
    if (damaged) damaged->store(true, std::memory_order_release);
    faults_here++;
    return;
  }
  pass_on(sig, info, context);
}

void install() {
  long page = sysconf(_SC_PAGESIZE);
  if (page > 0) os_page = static_cast<uintptr_t>(page);
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_sigaction = on_fault;
  sigemptyset(&action.sa_mask);
  // SA_NODEFER: a fault inside the handler chain goes to the default action
  // instead of hanging with the signal blocked.
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigaction(SIGBUS, &action, &previous_bus);
  sigaction(SIGSEGV, &action, &previous_segv);
}

}  // namespace

void guard_map(const void* owner, uintptr_t begin, uint64_t bytes, std::atomic<bool>* damaged) {
  static std::once_flag installed;
  std::call_once(installed, install);
  (void)map_faults_on_this_thread();
  if (begin == 0 || bytes == 0) return;
  unguard_map(owner);  // a map that moved: its old range may hold anything now
  std::lock_guard<std::mutex> lock(slots_mutex);
  for (Slot& slot : slots) {
    if (slot.owner.load() != nullptr) continue;
    slot.owner.store(owner);
    slot.damaged.store(damaged, std::memory_order_release);
    slot.end.store(begin + bytes, std::memory_order_release);
    slot.begin.store(begin, std::memory_order_release);
    return;
  }
}

void unguard_map(const void* owner) {
  std::lock_guard<std::mutex> lock(slots_mutex);
  for (Slot& slot : slots) {
    if (slot.owner.load() != owner) continue;
    slot.begin.store(0, std::memory_order_release);
    slot.end.store(0, std::memory_order_release);
    slot.damaged.store(nullptr, std::memory_order_release);
    for (std::atomic<uintptr_t>& kept : slot.margin_pages) {
      if (uintptr_t page = kept.exchange(0)) munmap(reinterpret_cast<void*>(page), os_page);
    }
    slot.owner.store(nullptr);
  }
}

uint64_t map_faults_on_this_thread() { return faults_here; }

}  // namespace arroy
