#include "tests/support/child_process.hpp"

#include "tests/support/temp_dir.hpp"

namespace regua::test {

CommandResult run_command(const std::vector<std::string>& args, const std::optional<std::string>& input) {
  TempDir dir;
  const auto out_file = dir / "stdout";
  const auto err_file = dir / "stderr";
  const auto in_file = dir / "stdin";
  write_file(in_file, input.value_or(""));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input) posix_spawn_file_actions_addopen(&actions, 0, in_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  CommandResult result;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  }
  posix_spawn_file_actions_destroy(&actions);
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

}  // namespace regua::test
