// Subprocesses behind an interface, so code that runs git or patch can be
// tested with a fake.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace umq {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs |argv| (argv[0] looked up in PATH) in directory |cwd| ("" = current),
  // with stdin from /dev/null, capturing stdout and stderr.
  virtual ProcessResult run(const std::vector<std::string>& argv,
                            const std::string& cwd) = 0;
};

class RealProcessRunner : public ProcessRunner {
 public:
  ProcessResult run(const std::vector<std::string>& argv,
                    const std::string& cwd) override;
};

// Records calls and answers with a scripted function.
class FakeProcessRunner : public ProcessRunner {
 public:
  using Handler = std::function<ProcessResult(const std::vector<std::string>&,
                                              const std::string&)>;
  explicit FakeProcessRunner(Handler handler) : handler_(std::move(handler)) {}
  ProcessResult run(const std::vector<std::string>& argv,
                    const std::string& cwd) override {
    calls.push_back(argv);
    return handler_(argv, cwd);
  }
  std::vector<std::vector<std::string>> calls;

 private:
  Handler handler_;
};

}  // namespace umq
