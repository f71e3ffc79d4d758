// Tests for checks/core/text.cpp: joining items for finding arguments and report cells.
#include "checks/core/text.hpp"

#include <gtest/gtest.h>

namespace mh {
namespace {

TEST(Joined, PutsTheSeparatorBetweenItemsOnly) {
  EXPECT_EQ(joined({}), "");
  EXPECT_EQ(joined({"TLS 1.2"}), "TLS 1.2");
  EXPECT_EQ(joined({"TLS 1.2", "TLS 1.3"}), "TLS 1.2, TLS 1.3");
  EXPECT_EQ(joined({"mx1.gov.vn", "mx2.gov.vn", "mx3.gov.vn"}, " and "),
            "mx1.gov.vn and mx2.gov.vn and mx3.gov.vn");
  EXPECT_EQ(joined({"a", "b"}, ";"), "a;b");
}

TEST(Joined, LeadingEmptyItemsLeaveNoSeparator) {
  EXPECT_EQ(joined({"", "", "x"}, "; "), "x");
  EXPECT_EQ(joined({"x", "", "y"}, "; "), "x; ; y");
}

}  // namespace
}  // namespace mh
