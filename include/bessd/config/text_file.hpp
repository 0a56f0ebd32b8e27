#pragma once
// Reading the files a configuration names (the configuration itself, inverter and meter
// profiles, a broker's password file) without ever blocking: the daemon reads them again on
// SIGHUP, and a read that waits for a writer would hold the reload, and the stop after it,
// until systemd's SIGKILL (docs/operations.md "Configure, reload").

#include <cstddef>
#include <filesystem>
#include <string>

#include <bessd/common/result.hpp>

namespace bessd::config {

/// The whole text of a regular file of at most `max_bytes`. The file is opened without blocking
/// and its type checked on the open descriptor, which is the one read: a FIFO, device or
/// directory is refused, also one put in the file's place while it is opened. The error's
/// message says why without the path ("not a regular file (...)", "cannot open the file: ...").
Result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace bessd::config
