#include "proxy/shed_sampler.h"

#include <algorithm>

namespace huddle::proxy {

LatencySampler::LatencySampler(size_t workers)
    : layout_(
          core::LogHistogram::Options{.min_value = 0.01, .max_value = 1e6, .relative_error = 0.02}),
      workers_(std::max<size_t>(1, workers)),
      buckets_(layout_.num_buckets()),
      stride_((buckets_ + 7) / 8 * 8),
      counts_(new std::atomic<uint64_t>[workers_ * stride_]),
      seen_(buckets_, 0) {
  for (size_t i = 0; i < workers_ * stride_; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

}  // namespace huddle::proxy
