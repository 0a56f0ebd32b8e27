#pragma once
// Result<T>: a value or an Error, shaped like std::expected (C++23) so that the code can switch
// to it later. Used on hot paths and for every I/O operation; never throws on access through
// the checked accessors below except value(), which throws std::logic_error when misused (a bug).

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <bessd/common/error.hpp>

namespace bessd {

/// Tag wrapper so that Result<Error>-like ambiguities cannot arise: `return fail(...)`.
struct Failure {
  Error error;
};

inline Failure fail(ErrorCode code, std::string message) {
  return Failure{Error{code, std::move(message)}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value)
      : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Failure failure)                                   // NOLINT(google-explicit-constructor)
      : data_(std::in_place_index<1>, std::move(failure.error)) {}

  bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check();
    return std::get<0>(data_);
  }
  const T& value() const& {
    check();
    return std::get<0>(data_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    if (has_value()) throw std::logic_error("Result::error() called on a value");
    return std::get<1>(data_);
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void check() const {
    if (!has_value())
      throw std::logic_error("Result::value() on error: " + std::get<1>(data_).message);
  }
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure failure)
      : error_(std::move(failure.error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) throw std::logic_error("Result<void>::value() on error: " + error_.message);
  }
  const Error& error() const {
    if (ok_) throw std::logic_error("Result<void>::error() called on success");
    return error_;
  }

 private:
  Error error_{};
  bool ok_{true};
};

using Status = Result<void>;

}  // namespace bessd
