// ClusterRefs: one worker's clusters as one config generation sees them: element i is the
// lb::UpstreamCluster for config.clusters[i] (routes and tcp listeners name clusters by that
// index). The clusters themselves are owned elsewhere (app/worker_generation.h), since an
// unchanged cluster is shared by the generations before and after a reload; this is only the
// index, fixed when the generation is built, so a request's lookup is one load.
#pragma once

#include <cstddef>
#include <vector>

#include "lb/upstream_cluster.h"

namespace ringress::lb {

class ClusterRefs {
 public:
  ClusterRefs() = default;
  explicit ClusterRefs(std::vector<UpstreamCluster*> clusters) : clusters_(std::move(clusters)) {}

  UpstreamCluster& operator[](std::size_t i) const { return *clusters_[i]; }
  std::size_t size() const { return clusters_.size(); }

  class iterator {
   public:
    explicit iterator(UpstreamCluster* const* at) : at_(at) {}
    UpstreamCluster& operator*() const { return **at_; }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return at_ != o.at_; }

   private:
    UpstreamCluster* const* at_;
  };
  iterator begin() const { return iterator(clusters_.data()); }
  iterator end() const { return iterator(clusters_.data() + clusters_.size()); }

 private:
  std::vector<UpstreamCluster*> clusters_;
};

}  // namespace ringress::lb
