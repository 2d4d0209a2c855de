#include "harness.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

namespace arroy_test {
namespace {

struct TestCase {
  const char* name;
  TestFn fn;
  const char* file;
  int line;
};

// Function-local statics: registration runs during static initialisation of
// the test files, whose order relative to this file is unspecified.
std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

std::vector<std::string>& context_stack() {
  static std::vector<std::string> stack;
  return stack;
}

// Failures of the running test; after this many, further lines are dropped
// (still counted) so one broken loop cannot flood the log.
constexpr int kMaxPrintedFailures = 30;
int g_failures_in_test = 0;
const char* g_current_test = "";

}  // namespace

int register_test(const char* name, TestFn fn, const char* file, int line) {
  registry().push_back(TestCase{name, fn, file, line});
  return static_cast<int>(registry().size());
}

void report_failure(const char* file, int line, const std::string& message) {
  ++g_failures_in_test;
  if (g_failures_in_test > kMaxPrintedFailures) return;
  std::string text = std::string(file) + ":" + std::to_string(line) + ": [" + g_current_test + "] " + message;
  const auto& stack = context_stack();
  if (!stack.empty()) {
    text += " (";
    for (size_t i = 0; i < stack.size(); ++i) text += (i ? "; " : "") + stack[i];
    text += ")";
  }
  if (g_failures_in_test == kMaxPrintedFailures) text += "\n  ... further failures of this test not shown";
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
}

const char* shared_dir() {
#ifdef ARROY_SHARED_DIR
  return ARROY_SHARED_DIR;
#else
  return "";
#endif
}

bool check_throws_code(const std::function<void()>& body, arroy::ErrorCode code, const char* expr, const char* file,
                       int line) {
  const std::string head = std::string("CHECK_THROWS_CODE(") + expr + ", " + arroy::error_code_name(code) + ") failed: ";
  try {
    body();
  } catch (const arroy::Error& e) {
    if (e.code() == code) return true;
    report_failure(file, line, head + "threw " + arroy::error_code_name(e.code()) + " (" + e.what() + ")");
    return false;
  } catch (const std::exception& e) {
    report_failure(file, line, head + "threw a non-arroy exception: " + e.what());
    return false;
  } catch (...) {
    report_failure(file, line, head + "threw a non-std exception");
    return false;
  }
  report_failure(file, line, head + "nothing was thrown");
  return false;
}

ScopedContext::ScopedContext(std::string text) { context_stack().push_back(std::move(text)); }
ScopedContext::~ScopedContext() { context_stack().pop_back(); }

}  // namespace arroy_test

int main(int argc, char** argv) {
  using namespace arroy_test;
  const char* filter = argc > 1 ? argv[1] : "";
  int passed = 0;
  int failed = 0;
  for (const TestCase& test : registry()) {
    if (std::strstr(test.name, filter) == nullptr) continue;
    g_current_test = test.name;
    g_failures_in_test = 0;
    context_stack().clear();
    try {
      test.fn();
    } catch (const arroy::Error& e) {
      report_failure(test.file, test.line,
                     std::string("uncaught arroy::Error ") + arroy::error_code_name(e.code()) + ": " + e.what());
    } catch (const std::exception& e) {
      report_failure(test.file, test.line, std::string("uncaught exception: ") + e.what());
    } catch (...) {
      report_failure(test.file, test.line, "uncaught non-std exception");
    }
    if (g_failures_in_test == 0) {
      ++passed;
    } else {
      ++failed;
      if (g_failures_in_test > kMaxPrintedFailures) {
        std::printf("%s:%d: [%s] %d failed checks in total\n", test.file, test.line, test.name, g_failures_in_test);
      }
    }
  }
  if (passed + failed == 0) std::printf("no test matches \"%s\"\n", filter);
  std::printf("%d passed, %d failed\n", passed, failed);
  // Running nothing is a failure too: it is usually a mistyped filter.
  return failed == 0 && passed > 0 ? 0 : 1;
}
