#include "app/jobs.hpp"

#include "core/log.hpp"
#include "sql/database.hpp"

namespace gongkai::app {

void background_jobs::every(std::chrono::seconds interval, std::string name, std::function<void()> job) {
  threads_.emplace_back([this, interval, name = std::move(name), job = std::move(job)] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        job();
      } catch (const std::exception& e) {
        log::event("error", name + " failed; will retry", loggable_error(e));
      }
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void background_jobs::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace gongkai::app
