// Which slots a graph search has already reached. One u16 stamp per slot,
// compared with the current search's stamp, so starting a search costs
// nothing: the array is cleared only once every 65,535 searches.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace arroy {

class VisitedSet {
 public:
  void begin(uint32_t slot_count) {
    if (stamps_.size() < slot_count) stamps_.resize(slot_count, 0);
    if (++stamp_ == 0) {
      std::fill(stamps_.begin(), stamps_.end(), 0);
      stamp_ = 1;
    }
  }
  // Marks slot (< the slot_count given to begin) and says whether it was new.
  bool insert(uint32_t slot) {
    if (stamps_[slot] == stamp_) return false;
    stamps_[slot] = stamp_;
    return true;
  }

 private:
  std::vector<uint16_t> stamps_;
  uint16_t stamp_ = 0;
};

}  // namespace arroy
