#include "http/header_map.h"

#include <gtest/gtest.h>

namespace ringress::http {
namespace {

TEST(HeaderMap, LookupIgnoresCaseAndKeepsOrder) {
  HeaderMap h;
  h.add("Host", "a");
  h.add("X-Forwarded-For", "1.1.1.1");
  h.add("x-forwarded-for", "2.2.2.2");
  ASSERT_NE(h.get("HOST"), nullptr);
  EXPECT_EQ(*h.get("host"), "a");
  EXPECT_EQ(*h.get("X-FORWARDED-FOR"), "1.1.1.1");
  EXPECT_EQ(h.get("missing"), nullptr);
  EXPECT_EQ(h.count("x-forwarded-for"), 2u);
  EXPECT_EQ(h.begin()[2].name, "x-forwarded-for");
}

TEST(HeaderMap, SetReplacesTheFirstAndRemovesTheOthers) {
  HeaderMap h;
  h.add("A", "1");
  h.add("b", "2");
  h.add("B", "3");
  h.add("C", "4");
  h.set("B", "new");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.begin()[1].name, "B");
  EXPECT_EQ(h.begin()[1].value, "new");
  EXPECT_EQ(h.begin()[2].name, "C");
  h.set("D", "5");
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.begin()[3].value, "5");
}

TEST(HeaderMap, RemoveCountsWhatItRemoved) {
  HeaderMap h;
  h.add("A", "1");
  h.add("a", "2");
  h.add("B", "3");
  EXPECT_EQ(h.remove("A"), 2u);
  EXPECT_EQ(h.remove("A"), 0u);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->name, "B");
}

TEST(HeaderMap, Iequals) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("Content-Length", "content-lengt"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("[", "{"));  // only letters fold
}

TEST(HeaderMap, HasToken) {
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token("close", "close"));
  EXPECT_TRUE(has_token(" \tclose\t ", "close"));
  EXPECT_TRUE(has_token("a,,b", "b"));
  EXPECT_FALSE(has_token("upgraded", "upgrade"));
  EXPECT_FALSE(has_token("", "close"));
  EXPECT_FALSE(has_token("x-close", "close"));
}

TEST(HeaderMap, Syntax) {
  EXPECT_TRUE(is_token("X-Custom_Header.1~!#$%&'*+^`|"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("a b"));
  EXPECT_FALSE(is_token("a:b"));
  EXPECT_FALSE(is_token("a\xc3\xa9"));
  EXPECT_TRUE(is_field_value("a b\tc \xff"));
  EXPECT_TRUE(is_field_value(""));
  EXPECT_FALSE(is_field_value("a\r\nInjected: 1"));
  EXPECT_FALSE(is_field_value(std::string_view("a\0b", 3)));
  EXPECT_FALSE(is_field_value("a\x7f"));
  EXPECT_FALSE(is_field_value(" a"));
  EXPECT_FALSE(is_field_value("a\t"));
}

}  // namespace
}  // namespace ringress::http
