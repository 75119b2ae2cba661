// The pool behind parallel_for: get_num_threads() - 1 workers and the calling thread, all claiming
// chunks from one counter. Between jobs a worker watches for the next one for kPollTime, then
// sleeps on a condition variable. OpenBLAS keeps a pool of its own, which minigrad holds at one
// thread: large matrix products run as parts on this pool instead (matmul.cpp), so that no thread
// spins on sched_yield for long after its work, as OpenBLAS's do.
#include "minigrad/tensor/parallel.h"

#include <cblas.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "minigrad/tensor/error.h"

namespace mg {
namespace {

// True on a thread while it runs chunks, so that a parallel_for inside a chunk runs serially
// instead of waiting for a pool that is busy with its caller.
thread_local bool inside_chunk = false;

// How long a thread watches for what it waits on before it sleeps. A training step posts about
// 190 jobs with some 35 us of serial work between them, and waking a sleeping worker took longer
// than that on this 2-core VM, so the worker joined jobs late or not at all. Watching for 50 us
// took BM_TrainStepTinyGPT from 71 to 60 ms (medians of 8 alternating runs); in a sweep, 10 us
// saved 8% and 300 us 13%. A thread with nothing to do sleeps after those 50 us.
constexpr auto kPollTime = std::chrono::microseconds(50);

// Checks `ready` until it holds or kPollTime has passed.
template <typename Ready>
void poll(const Ready& ready) {
  const auto deadline = std::chrono::steady_clock::now() + kPollTime;
  while (!ready() && std::chrono::steady_clock::now() < deadline) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();  // tells the CPU, and the hypervisor, that this is a wait loop
#endif
  }
}

class Job {
 public:
  Job(int64_t chunks, void (*chunk)(const void*, int64_t), const void* context)
      : chunks_(chunks), chunk_(chunk), context_(context) {}

  // Claims and runs chunks until none is left. After a chunk throws, the rest are skipped.
  void work() {
    for (int64_t k = next_++; k < chunks_; k = next_++) {
      try {
        chunk_(context_, k);
      } catch (...) {
        const std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        next_ = chunks_;
      }
    }
  }

  void rethrow_error() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  const int64_t chunks_;
  void (*const chunk_)(const void*, int64_t);
  const void* const context_;
  std::atomic<int64_t> next_{0};
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

class Pool {
 public:
  explicit Pool(int threads) { start(threads); }
  ~Pool() { stop(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return threads_; }

  void resize(int threads) {
    const std::lock_guard running(run_mutex_);
    stop();
    start(threads);
  }

  // Runs the job on the workers and the calling thread, or on the calling thread alone while
  // another thread's job holds the workers.
  void run(Job& job) {
    inside_chunk = true;
    std::unique_lock running(run_mutex_, std::try_to_lock);
    if (running.owns_lock() && !workers_.empty())
      share(job);
    else
      job.work();
    inside_chunk = false;
  }

 private:
  void start(int threads) {
    stopping_ = false;
    threads_ = threads;
    // A worker waits for the first job after this point, even one posted before it starts.
    for (int i = 1; i < threads; ++i)
      workers_.emplace_back([this, seen = generation_.load()] { work_loop(seen); });
    openblas_set_num_threads(1);
  }

  void stop() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
  }

  // The caller waits only for the workers that took part: one that comes after every chunk was
  // claimed finds no job and waits for the next.
  void share(Job& job) {
    {
      const std::lock_guard lock(mutex_);
      job_ = &job;
      ++generation_;
    }
    wake_.notify_all();
    job.work();
    poll([&] { return working_ == 0; });
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return working_ == 0; });
    job_ = nullptr;
  }

  void work_loop(uint64_t seen) {
    inside_chunk = true;
    const auto job_posted = [&] { return stopping_ || (job_ && generation_ != seen); };
    while (true) {
      poll(job_posted);
      std::unique_lock lock(mutex_);
      wake_.wait(lock, job_posted);
      if (stopping_) return;
      seen = generation_;
      Job& job = *job_.load();
      ++working_;
      lock.unlock();
      job.work();
      lock.lock();
      if (--working_ == 0) done_.notify_one();
    }
  }

  std::mutex run_mutex_;  // held by the job that has the workers, and by resize
  // Guards every change to job_, generation_, working_ and stopping_, which poll() reads
  // without it.
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<Job*> job_ = nullptr;
  std::atomic<uint64_t> generation_ = 0;
  std::atomic<int> working_ = 0;  // workers inside job_
  std::atomic<bool> stopping_ = false;
  std::atomic<int> threads_{1};
  std::vector<std::thread> workers_;
};

int default_threads() {
  if (const char* text = std::getenv("MG_NUM_THREADS")) {
    int threads = 0;
    const char* end = text + std::strlen(text);
    const auto [last, status] = std::from_chars(text, end, threads);
    check(status == std::errc() && last == end && threads >= 1,
          "MG_NUM_THREADS must be a whole number >= 1, got '", text, "'");
    return threads;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Pool& pool() {
  static Pool instance(default_threads());
  return instance;
}

}  // namespace

void set_num_threads(int num_threads) {
  check(num_threads >= 1, "set_num_threads: the number of threads must be >= 1, got ", num_threads);
  check(!inside_chunk, "set_num_threads: cannot change the number of threads inside parallel_for");
  pool().resize(num_threads);
}

int get_num_threads() {
  return pool().threads();
}

namespace detail {

void run_chunks(int64_t chunks, void (*chunk)(const void* context, int64_t k),
                const void* context) {
  if (inside_chunk) {
    for (int64_t k = 0; k < chunks; ++k) chunk(context, k);
    return;
  }
  Job job(chunks, chunk, context);
  pool().run(job);
  job.rethrow_error();
}

}  // namespace detail
}  // namespace mg
