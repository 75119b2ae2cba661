#pragma once

#include <gtest/gtest.h>

#include <string>

#include "minigrad/tensor/error.h"

namespace mg::test {

// Expects `fn` to throw mg::Error whose message contains `fragment`.
template <typename Fn>
void expect_error(Fn fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no mg::Error; expected one containing: " << fragment;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

}  // namespace mg::test
