// A minimal unit-test harness for the native core.
//
//   TEST(parses_names) {
//     CHECK(ok);
//     CHECK_EQ(got, 5);
//     CHECK_NEAR(distance, 1.0, 1e-6);
//     CHECK_THROWS_CODE(open_index(path), arroy::ErrorCode::NotAnIndex);
//     CONTEXT("kernel=" << name << " n=" << n);  // appended to failures in this scope
//   }
//
// Checks do not stop the test; each returns true when it passed, so a test
// can bail out with `if (!CHECK(p)) return;`. An exception escaping a test
// fails it. main() (harness.cc) runs every test whose name contains argv[1]
// (all when absent), prints one `file:line: ...` line per failed check, then
// `N passed, M failed` (counting tests), and exits non-zero on any failure.
//
// ARROY_SHARED_DIR, when the build defines it, is the repository's shared
// data directory (datasets); shared_dir() returns it or "" when undefined.
#pragma once

#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "errors.h"

namespace arroy_test {

using TestFn = void (*)();

int register_test(const char* name, TestFn fn, const char* file, int line);

// Records a failed check of the running test and prints it.
void report_failure(const char* file, int line, const std::string& message);

const char* shared_dir();

// Streams a value if it has operator<<, else prints a placeholder.
template <class T, class = void>
struct IsStreamable : std::false_type {};
template <class T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

template <class T>
constexpr bool kIsCString = std::is_same_v<std::decay_t<T>, const char*> || std::is_same_v<std::decay_t<T>, char*>;

template <class T>
std::string show(const T& value) {
  if constexpr (kIsCString<T>) {
    const char* text = value;
    return text == nullptr ? std::string("(null)") : "\"" + std::string(text) + "\"";
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    return "enum(" + std::to_string(static_cast<long long>(value)) + ")";
  } else if constexpr (std::is_floating_point_v<T>) {
    std::ostringstream out;
    out.precision(9);
    out << value;
    return out.str();
  } else if constexpr (std::is_same_v<T, unsigned char> || std::is_same_v<T, signed char>) {
    return std::to_string(static_cast<int>(value));
  } else if constexpr (IsStreamable<T>::value) {
    std::ostringstream out;
    out << value;
    return out.str();
  } else {
    return "<unprintable>";
  }
}

inline bool check(bool ok, const char* expr, const char* file, int line) {
  if (!ok) report_failure(file, line, std::string("CHECK(") + expr + ") failed");
  return ok;
}

// a == b, except that C strings compare by content and integers of mixed
// signedness compare by value (no -Wsign-compare noise, no wrap-around).
template <class A, class B>
bool equal(const A& a, const B& b) {
  if constexpr (kIsCString<A> && kIsCString<B>) {
    const char* x = a;
    const char* y = b;
    return x == y || (x != nullptr && y != nullptr && std::strcmp(x, y) == 0);
  } else if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> &&
                       !std::is_same_v<B, bool> && std::is_signed_v<A> != std::is_signed_v<B>) {
    if constexpr (std::is_signed_v<A>) {
      return a >= 0 && static_cast<std::make_unsigned_t<A>>(a) == b;
    } else {
      return b >= 0 && a == static_cast<std::make_unsigned_t<B>>(b);
    }
  } else {
    return a == b;
  }
}

template <class A, class B>
bool check_eq(const A& a, const B& b, const char* expr_a, const char* expr_b, const char* file, int line) {
  if (equal(a, b)) return true;
  report_failure(file, line,
                 std::string("CHECK_EQ(") + expr_a + ", " + expr_b + ") failed: " + show(a) + " vs " + show(b));
  return false;
}

inline bool check_near(double a, double b, double tol, const char* expr_a, const char* expr_b, const char* file,
                       int line) {
  if (std::fabs(a - b) <= tol) return true;  // false for NaN
  std::ostringstream out;
  out.precision(9);
  out << "CHECK_NEAR(" << expr_a << ", " << expr_b << ") failed: " << a << " vs " << b << ", difference "
      << std::fabs(a - b) << " > tolerance " << tol;
  report_failure(file, line, out.str());
  return false;
}

bool check_throws_code(const std::function<void()>& body, arroy::ErrorCode code, const char* expr, const char* file,
                       int line);

// Builds a string with <<, for CONTEXT.
class Message {
 public:
  template <class T>
  Message& operator<<(const T& value) {
    out_ << value;
    return *this;
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// Scoped text appended to every failure reported while it is alive.
class ScopedContext {
 public:
  explicit ScopedContext(std::string text);
  ~ScopedContext();
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;
};

}  // namespace arroy_test

#define ARROY_TEST_CONCAT2(a, b) a##b
#define ARROY_TEST_CONCAT(a, b) ARROY_TEST_CONCAT2(a, b)

#define TEST(name)                                                                                   \
  static void arroy_test_fn_##name();                                                                \
  static const int arroy_test_reg_##name [[maybe_unused]] =                                          \
      ::arroy_test::register_test(#name, &arroy_test_fn_##name, __FILE__, __LINE__);                 \
  static void arroy_test_fn_##name()

#define CHECK(cond) ::arroy_test::check(static_cast<bool>(cond), #cond, __FILE__, __LINE__)

#define CHECK_EQ(a, b) ::arroy_test::check_eq((a), (b), #a, #b, __FILE__, __LINE__)

#define CHECK_NEAR(a, b, tol)                                                                        \
  ::arroy_test::check_near(static_cast<double>(a), static_cast<double>(b), static_cast<double>(tol), #a, #b, \
                           __FILE__, __LINE__)

#define CHECK_THROWS_CODE(expr, code) \
  ::arroy_test::check_throws_code([&]() { (void)(expr); }, (code), #expr, __FILE__, __LINE__)

#define CONTEXT(stream_expr)                                                    \
  ::arroy_test::ScopedContext ARROY_TEST_CONCAT(arroy_test_context_, __LINE__)( \
      (::arroy_test::Message() << stream_expr).str())
