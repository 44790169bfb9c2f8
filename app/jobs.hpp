#pragma once
// Background jobs: each runs on a thread of its own every interval until stop(); a failing run is logged
// (without personal data) and retried at the next interval.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gongkai::app {

// Runs each job on its own thread every `interval` until stop(); a failing run is logged and retried.
class background_jobs {
 public:
  ~background_jobs() { stop(); }
  void every(std::chrono::seconds interval, std::string name, std::function<void()> job);
  void stop();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gongkai::app
