#pragma once
// The forms a person's details take in texts Régua wrote or kept about them (a message's body, a
// decision's detail, a task's instructions, a quarantined POS line), and their removal when the
// person is forgotten (erasure.hpp): each value is replaced by "[erased]" where it stands apart
// from letters and digits, so that "Ana" goes from "Oi, Ana!" but "Banana" stays.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regua {

inline constexpr std::string_view kErasedMark = "[erased]";

class PersonalValues {
 public:
  // Adds a value (trimmed; one of fewer than 2 characters is ignored: it would match everywhere).
  void add(std::string_view value);
  [[nodiscard]] bool empty() const { return values_.empty(); }
  [[nodiscard]] const std::vector<std::string>& values() const { return values_; }

  // `text` with every value replaced by kErasedMark, longer values first; nullopt when none occurs.
  [[nodiscard]] std::optional<std::string> scrub(std::string_view text) const;

 private:
  std::vector<std::string> values_;  // longest first
};

}  // namespace regua
