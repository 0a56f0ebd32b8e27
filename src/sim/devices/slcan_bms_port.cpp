#include <bessd/sim/devices/slcan_bms_port.hpp>

#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <variant>

#include <bessd/bms/protocols/pylontech_lv_frames.hpp>

namespace bessd::sim {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

int open_master(int& slave_fd, std::string& name) {
  int master = -1;
  char path[128] = {};
  if (::openpty(&master, &slave_fd, path, nullptr, nullptr) != 0)
    throw std::runtime_error(std::string("openpty failed: ") + std::strerror(errno));
  termios t{};
  ::tcgetattr(slave_fd, &t);
  ::cfmakeraw(&t);  // no echo, no line editing: a serial adapter is a byte pipe
  ::tcsetattr(slave_fd, TCSANOW, &t);
  name = path;
  return master;
}

}  // namespace

SlcanBmsPort::SlcanBmsPort(boost::asio::io_context& io, std::string link_path)
    : master_(io), link_path_(std::move(link_path)) {
  const int master = open_master(slave_fd_, pty_path_);
  master_.assign(master);
  master_.non_blocking(true);
  if (!link_path_.empty()) {
    struct stat st {};
    if (::lstat(link_path_.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode))
        throw std::runtime_error("--slcan-link " + link_path_ +
                                 " exists and is not a symlink; refusing to replace it");
      ::unlink(link_path_.c_str());
    }
    if (::symlink(pty_path_.c_str(), link_path_.c_str()) != 0)
      throw std::runtime_error("cannot create symlink " + link_path_ + ": " + std::strerror(errno));
  }
}

SlcanBmsPort::~SlcanBmsPort() {
  if (!link_path_.empty()) ::unlink(link_path_.c_str());
  if (slave_fd_ >= 0) ::close(slave_fd_);
}

void SlcanBmsPort::start() {
  read_more();
}

void SlcanBmsPort::read_more() {
  master_.async_read_some(
      boost::asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (ec) {
          // EIO while no slave is open cannot happen (we hold one); anything else: retry shortly.
          return read_more();
        }
        for (std::size_t i = 0; i < n; ++i) {
          const char c = buffer_[i];
          if (c == '\r' || c == '\n') {
            if (!line_.empty()) {
              if (line_[0] == 't' || line_[0] == 'T' || line_[0] == 'r' || line_[0] == 'R') {
                auto m = can::slcan::parse_line(line_);
                if (m) handle(*m);
                write_text(line_[0] == 'T' || line_[0] == 'R' ? "Z\r" : "z\r");
              } else {
                handle_command(line_);
              }
            }
            line_.clear();
          } else if (line_.size() < 64) {
            line_.push_back(c);
          }
        }
        read_more();
      });
}

void SlcanBmsPort::handle(const can::slcan::Message& m) {
  const auto* rx = std::get_if<can::slcan::ReceivedFrame>(&m);
  if (!rx) return;
  ++frames_received_;
  if (rx->frame.id == bms::pylontech::kIdKeepAlive && !rx->frame.extended) {
    ++keepalives_;
    last_keepalive_ms_ = steady_ms();
  }
  if (on_frame_) on_frame_(rx->frame);
}

void SlcanBmsPort::handle_command(const std::string& line) {
  ++commands_;
  switch (line[0]) {
    case 'O':
    case 'L':
      channel_open_ = true;
      break;
    case 'C':
      // Closing the channel: like an adapter, forget what the host has not read yet, so a
      // reopened bessd starts on frame boundaries instead of stale, possibly cut, lines.
      channel_open_ = false;
      ::tcflush(slave_fd_, TCIFLUSH);
      break;
    case 'V':
      return write_text("V1013\r");
    case 'N':
      return write_text("NSIM1\r");
    default:
      break;
  }
  write_text("\r");
}

void SlcanBmsPort::write_text(const std::string& text) {
  const ssize_t n = ::write(master_.native_handle(), text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) ++lines_dropped_;
}

bool SlcanBmsPort::send(const std::vector<can::CanFrame>& frames) {
  if (!channel_open_) return false;  // an SLCAN adapter forwards bus traffic only after "O"
  std::string text;
  for (const auto& f : frames) {
    auto line = can::slcan::encode_frame(f);
    if (line) {
      text += *line;
      ++frames_sent_;
    }
  }
  write_text(text);
  return true;
}

void SlcanBmsPort::send_garbage(std::mt19937& rng) {
  std::string junk;
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 24; ++i) junk.push_back(static_cast<char>(byte(rng)));
  junk += "\r";
  junk += "t35680123\r";                // DLC 8 but one data byte
  junk += "tXYZ8GGGGGGGGGGGGGGGG\r";    // bad hex
  junk += std::string(40, 'A') + "\r";  // over-long line
  write_text(junk);
}

}  // namespace bessd::sim
