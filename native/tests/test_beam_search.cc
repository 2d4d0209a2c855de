// The graph walk (graph/beam_search.h) on a space small enough to know every
// answer: points on a ring, each linked to its nearest neighbours on either
// side. Checks the beam of ef against the results kept: a beam narrower than
// the results returns the closest items it scored, headed by exactly what a
// search of ef results returns, for less work; filters and the skipped slot
// hold on both.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph/beam_search.h"
#include "harness.h"

using namespace arroy_test;
using arroy::BeamScratch;
using arroy::beam_search;

namespace {

constexpr uint32_t kPoints = 400;
constexpr uint32_t kReach = 3;  // links to the 3 nearest on each side

// Slot i sits at angle i; the distance between two slots is how many steps
// apart they are around the ring.
struct Ring {
  float query = 0;                  // a position on the ring, in steps
  std::vector<bool> mask;           // empty: every slot allowed
  uint32_t slot_count() const { return kPoints; }
  const void* locate(uint32_t slot) const { return reinterpret_cast<const void*>(uintptr_t(slot) + 1); }
  float distance(const void* where) const {
    const float slot = float(reinterpret_cast<uintptr_t>(where) - 1);
    const float d = std::abs(slot - query);
    return std::min(d, float(kPoints) - d);
  }
  template <class F>
  void links(uint32_t slot, F visit) const {
    for (uint32_t step = 1; step <= kReach; step++) {
      visit((slot + step) % kPoints);
      visit((slot + kPoints - step) % kPoints);
    }
  }
  bool allowed(uint32_t slot) const { return mask.empty() || mask[slot]; }
};

std::vector<uint32_t> slots_of(const BeamScratch& scratch) {
  std::vector<uint32_t> out;
  for (const auto& hit : scratch.best) out.push_back(hit.slot);
  return out;
}

}  // namespace

TEST(a_narrow_beam_keeps_the_results_it_scored) {
  Ring ring;
  ring.query = 100.25f;
  const uint32_t seed = 300;  // far from the query: the walk has to travel
  BeamScratch scratch;

  const uint64_t wide = beam_search(ring, &seed, 1, 10, 10, UINT32_MAX, scratch).scored;
  const std::vector<uint32_t> ten = slots_of(scratch);
  CHECK_EQ(ten.size(), size_t(10));
  // On a ring the walk cannot miss: the ten nearest are 96..105 around 100.25.
  std::vector<uint32_t> expected;
  for (uint32_t s = 96; s <= 105; s++) expected.push_back(s);
  std::vector<uint32_t> sorted = ten;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == expected);

  const uint64_t narrow = beam_search(ring, &seed, 1, 2, 10, UINT32_MAX, scratch).scored;
  const std::vector<uint32_t> kept = slots_of(scratch);
  CHECK_EQ(kept.size(), size_t(10));
  CHECK(narrow < wide);
  for (size_t i = 1; i < scratch.best.size(); i++) CHECK(!(scratch.best[i] < scratch.best[i - 1]));

  beam_search(ring, &seed, 1, 2, 2, UINT32_MAX, scratch);
  const std::vector<uint32_t> two = slots_of(scratch);
  CHECK_EQ(two.size(), size_t(2));
  CHECK(std::equal(two.begin(), two.end(), kept.begin()));
  CHECK_EQ(two[0], 100u);
  CHECK_EQ(two[1], 101u);
}

TEST(a_narrow_beam_honours_filters_and_the_skipped_slot) {
  Ring ring;
  ring.query = 50;
  ring.mask.assign(kPoints, false);
  for (uint32_t s = 0; s < kPoints; s += 2) ring.mask[s] = true;  // even slots only
  const uint32_t seed = 52;
  BeamScratch scratch;
  beam_search(ring, &seed, 1, 1, 6, 50, scratch);
  const std::vector<uint32_t> kept = slots_of(scratch);
  // Only the allowed items the walk scored can be kept: up to 6 of them.
  CHECK(!kept.empty() && kept.size() <= 6);
  for (uint32_t s : kept) {
    CONTEXT("slot " << s);
    CHECK_EQ(s % 2, 0u);
    CHECK(s != 50u);
  }
  CHECK_EQ(kept[0], 48u);  // 48 and 52 tie at 2 steps: the lower slot first

  // ef 0 is taken as a beam of one, never an empty walk.
  beam_search(ring, &seed, 1, 0, 3, UINT32_MAX, scratch);
  CHECK_EQ(scratch.best.size(), size_t(3));
}
