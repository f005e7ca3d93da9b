#pragma once
// The phone normaliser agent tests give the Ingestor: the real one (libphonenumber), for Brazil.

#include <gtest/gtest.h>

#include "agent/identity/libphonenumber_normaliser.hpp"

namespace regua::test {

inline const PhoneNormaliser& brazilian_phones() {
  static const LibphonenumberNormaliser phones = [] {
    auto made = LibphonenumberNormaliser::create("BR");
    if (!made) ADD_FAILURE() << made.error().message;
    return std::move(*made);
  }();
  return phones;
}

}  // namespace regua::test
