// Tests for checks/core/rubric.cpp: the weights are those of guidance.md §3.2.
#include "checks/core/rubric.hpp"

#include <gtest/gtest.h>

namespace mh {
namespace {

TEST(Rubric, WeightsOfASendingAndReceivingDomainAddUpTo100) {
  int total = 0;
  for (const auto& e : rubric()) total += e.weight;
  EXPECT_EQ(total, 100);
}

TEST(Rubric, IdsAreUniqueAndFindable) {
  for (const auto& e : rubric()) EXPECT_EQ(findRubricEntry(e.id), &e);
  EXPECT_EQ(findRubricEntry("NOPE-01"), nullptr);
  EXPECT_EQ(findRubricEntry("DKIM-01")->applies, Applies::Sending);
}

}  // namespace
}  // namespace mh
