#pragma once
// The one error style of the code base: functions that can fail at a module boundary return
// Result<T>, which holds either a value or an Error. No exception crosses a module boundary.
//
// An Error carries a kind (which decides the process exit code: usage and config errors are 2,
// everything else 1) and a message written for a person: what failed, where, and what to do.

#include <string>
#include <utility>
#include <variant>

namespace regua {

enum class ErrorKind {
  usage,         // the command line was wrong
  config,        // the configuration file is wrong
  input,         // a piece of input (a line, a document) is malformed
  io,            // a file or device failed
  ledger,        // the SQLite ledger failed
  incompatible,  // data written by another version or another store
  internal,      // a bug: a promise of the code itself was broken
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;

  // Returns a copy with `context` prepended ("context: message"), to say where a lower error happened.
  [[nodiscard]] Error within(std::string_view context) const {
    return Error{kind, std::string(context) + ": " + message};
  }
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace regua
