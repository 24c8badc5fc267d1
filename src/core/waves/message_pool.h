#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "core/random.h"

namespace huddle::core {

// Messages in flight, for running wave state machines without a network: a deterministic
// scheduler that hands out the pending messages in a random order drawn from the Random passed
// in (any interleaving, no FIFO per link: the most adversarial order Echo and Finn must tolerate),
// or oldest first. Tests and the simulator loop: take a message, give it to its node, push what
// the node sends. Not thread-safe.
template <typename Message>
class MessagePool {
 public:
  void Push(Message message) { pending_.push_back(std::move(message)); }
  void Push(std::vector<Message> messages) {
    for (Message& m : messages) pending_.push_back(std::move(m));
  }
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }
  size_t taken() const { return taken_; }

  // A uniformly random pending message. REQUIRES: !empty().
  Message TakeRandom(Random& random) {
    const size_t i = random.Below(pending_.size());
    std::swap(pending_[i], pending_.back());
    return TakeBack();
  }
  // The oldest pending message. REQUIRES: !empty(). O(n).
  Message TakeOldest() {
    Message m = std::move(pending_.front());
    pending_.erase(pending_.begin());
    ++taken_;
    return m;
  }

 private:
  Message TakeBack() {
    Message m = std::move(pending_.back());
    pending_.pop_back();
    ++taken_;
    return m;
  }

  std::vector<Message> pending_;
  size_t taken_ = 0;
};

}  // namespace huddle::core
