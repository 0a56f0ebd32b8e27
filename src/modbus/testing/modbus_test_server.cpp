#include <bessd/modbus/testing/modbus_test_server.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <modbus.h>

namespace bessd::modbus::testing {

namespace {

struct Bank {
  std::vector<std::uint16_t> holding = std::vector<std::uint16_t>(65536, 0);
  std::vector<std::uint16_t> input = std::vector<std::uint16_t>(65536, 0);
};

struct ExceptionRule {
  std::uint8_t function;
  std::uint16_t first;
  std::uint16_t last;
  std::uint8_t code;
};

struct RegisterMap {
  std::uint16_t first;
  std::uint16_t last;
  bool input_registers;
};

std::uint16_t crc16(const std::uint8_t* p, std::size_t n) {
  std::uint16_t crc = 0xFFFF;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int b = 0; b < 8; ++b)
      crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                      : static_cast<std::uint16_t>(crc >> 1);
  }
  return crc;
}

}  // namespace

struct ModbusTestServer::Impl {
  bool tcp{true};
  RtuServerOptions rtu_options;
  modbus_t* ctx{nullptr};
  int listen_fd{-1};
  std::uint16_t port{0};
  std::string device;
  int master_fd{-1};
  int slave_keep_fd{-1};
  std::vector<int> clients;

  mutable std::mutex mutex;
  std::map<std::uint8_t, Bank> banks;
  std::map<std::uint8_t, Bank> power_on;
  std::vector<ExceptionRule> rules;
  std::map<std::uint8_t, RegisterMap> maps;  // the device's own, not a fault
  bool silent{false};
  std::chrono::milliseconds delay{0};
  bool ignore_writes{false};
  int corrupt{0};
  bool drop{false};
  std::function<void(std::uint8_t, std::uint16_t, const std::vector<std::uint16_t>&)> write_hook;
  WriteCheck write_check;
  std::size_t n_requests{0};
  std::size_t n_writes{0};
  std::size_t n_accepted{0};

  std::atomic<bool> stopping{false};
  std::thread thread;

  ~Impl() {
    for (int fd : clients) ::close(fd);
    if (listen_fd >= 0) ::close(listen_fd);
    if (master_fd >= 0) ::close(master_fd);
    if (slave_keep_fd >= 0) ::close(slave_keep_fd);
    if (ctx != nullptr) modbus_free(ctx);
  }

  Bank& bank(std::uint8_t unit) { return banks[unit]; }

  // Handles one complete request in `q` (length n). Caller holds no lock.
  void handle(const std::uint8_t* q, int n) {
    const int h = modbus_get_header_length(ctx);
    if (n < h + 1) return;
    const std::uint8_t unit = q[h - 1];
    const std::uint8_t fc = q[h];
    std::uint16_t addr = 0;
    std::uint16_t count = 0;
    if (n >= h + 5) {
      addr = static_cast<std::uint16_t>((q[h + 1] << 8) | q[h + 2]);
      count = fc == 0x06 ? 1 : static_cast<std::uint16_t>((q[h + 3] << 8) | q[h + 4]);
    }
    std::unique_lock lock(mutex);
    ++n_requests;
    if (silent) return;
    if (delay.count() > 0) {  // a slow device: the answer leaves late, after the client gave up
      const auto d = delay;
      lock.unlock();
      std::this_thread::sleep_for(d);
      lock.lock();
    }
    if (tcp && banks.count(unit) == 0) {
      modbus_reply_exception(ctx, q, 0x0B);
      return;
    }
    for (const auto& r : rules) {
      const bool fn_match = r.function == 0 || r.function == fc;
      const std::uint32_t end = static_cast<std::uint32_t>(addr) + (count ? count - 1u : 0u);
      if (fn_match && addr <= r.last && end >= r.first) {
        modbus_reply_exception(ctx, q, r.code);
        return;
      }
    }
    if (fc != 0x03 && fc != 0x04 && fc != 0x06 && fc != 0x10) {
      modbus_reply_exception(ctx, q, MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
      return;
    }
    if (count == 0 || static_cast<std::uint32_t>(addr) + count > 65536u) {
      modbus_reply_exception(ctx, q, MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE);
      return;
    }
    if (const auto map = maps.find(unit); map != maps.end()) {
      if (fc == 0x04 && !map->second.input_registers) {
        modbus_reply_exception(ctx, q, MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
        return;
      }
      const std::uint32_t end = static_cast<std::uint32_t>(addr) + count - 1u;
      if (fc != 0x04 && (addr < map->second.first || end > map->second.last)) {
        modbus_reply_exception(ctx, q, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
        return;
      }
    }
    if ((fc == 0x06 || fc == 0x10) && write_check) {
      // The values as the request carries them: FC06 its one value at +3, FC16 its `count`
      // values at +6, after the byte count (a short frame is left to libmodbus to answer).
      std::vector<std::uint16_t> values;
      const auto first = static_cast<std::size_t>(fc == 0x06 ? h + 3 : h + 6);
      if (static_cast<std::size_t>(n) >= first + std::size_t{2} * count) {
        for (std::size_t i = 0; i < count; ++i) {
          const std::size_t k = first + 2 * i;
          values.push_back(static_cast<std::uint16_t>((q[k] << 8) | q[k + 1]));
        }
        if (const std::uint8_t code = write_check(unit, fc, addr, values); code != 0) {
          modbus_reply_exception(ctx, q, code);
          return;
        }
      }
    }
    Bank& b = bank(unit);
    if (!tcp && corrupt > 0 && (fc == 0x03 || fc == 0x04)) {
      --corrupt;
      std::vector<std::uint8_t> out{unit, fc, static_cast<std::uint8_t>(count * 2)};
      const auto& src = fc == 0x03 ? b.holding : b.input;
      for (std::uint16_t i = 0; i < count; ++i) {
        out.push_back(static_cast<std::uint8_t>(src[addr + i] >> 8));
        out.push_back(static_cast<std::uint8_t>(src[addr + i] & 0xFF));
      }
      const std::uint16_t crc = static_cast<std::uint16_t>(crc16(out.data(), out.size()) ^ 0x5A5A);
      out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
      out.push_back(static_cast<std::uint8_t>(crc >> 8));
      lock.unlock();
      [[maybe_unused]] auto w = ::write(master_fd, out.data(), out.size());
      return;
    }
    // Let libmodbus build the answer from a mapping that covers exactly the request.
    modbus_mapping_t* m = modbus_mapping_new_start_address(0, 0, 0, 0, addr, count, addr, count);
    if (m == nullptr) return;
    std::copy_n(b.holding.begin() + addr, count, m->tab_registers);
    std::copy_n(b.input.begin() + addr, count, m->tab_input_registers);
    modbus_reply(ctx, q, n, m);
    if (fc == 0x06 || fc == 0x10) {
      ++n_writes;
      std::vector<std::uint16_t> written(m->tab_registers, m->tab_registers + count);
      if (!ignore_writes) std::copy(written.begin(), written.end(), b.holding.begin() + addr);
      auto hook = write_hook;
      modbus_mapping_free(m);
      lock.unlock();
      if (hook) hook(unit, addr, written);
      return;
    }
    modbus_mapping_free(m);
  }

  void serve_tcp() {
    std::vector<std::uint8_t> q(MODBUS_TCP_MAX_ADU_LENGTH);
    while (!stopping) {
      {
        std::lock_guard lock(mutex);
        if (drop) {
          for (int fd : clients) ::close(fd);
          clients.clear();
          drop = false;
        }
      }
      fd_set set;
      FD_ZERO(&set);
      FD_SET(listen_fd, &set);
      int maxfd = listen_fd;
      for (int fd : clients) {
        FD_SET(fd, &set);
        maxfd = std::max(maxfd, fd);
      }
      timeval tv{0, 20'000};
      const int rc = ::select(maxfd + 1, &set, nullptr, nullptr, &tv);
      if (rc <= 0) continue;
      if (FD_ISSET(listen_fd, &set)) {
        const int fd = ::accept(listen_fd, nullptr, nullptr);
        if (fd >= 0) {
          std::lock_guard lock(mutex);
          clients.push_back(fd);
          ++n_accepted;
        }
      }
      std::vector<int> closed;
      for (int fd : std::vector<int>(clients)) {
        if (!FD_ISSET(fd, &set)) continue;
        modbus_set_socket(ctx, fd);
        const int n = modbus_receive(ctx, q.data());
        if (n > 0)
          handle(q.data(), n);
        else if (n == -1)
          closed.push_back(fd);
      }
      if (!closed.empty()) {
        std::lock_guard lock(mutex);
        for (int fd : closed) {
          ::close(fd);
          clients.erase(std::remove(clients.begin(), clients.end(), fd), clients.end());
        }
      }
    }
  }

  void serve_rtu() {
    std::vector<std::uint8_t> q(MODBUS_RTU_MAX_ADU_LENGTH);
    while (!stopping) {
      fd_set set;
      FD_ZERO(&set);
      FD_SET(master_fd, &set);
      timeval tv{0, 20'000};
      const int rc = ::select(master_fd + 1, &set, nullptr, nullptr, &tv);
      if (rc <= 0) continue;
      const int n = modbus_receive(ctx, q.data());
      if (n > 0)
        handle(q.data(), n);
      else if (n == -1 && errno != ETIMEDOUT && errno != EMBBADCRC)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // e.g. EIO: no opener yet
    }
  }
};

ModbusTestServer::ModbusTestServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModbusTestServer::~ModbusTestServer() {
  stop();
}

std::unique_ptr<ModbusTestServer> ModbusTestServer::tcp() {
  return tcp(0);
}

std::unique_ptr<ModbusTestServer> ModbusTestServer::tcp(std::uint16_t port) {
  auto impl = std::make_unique<Impl>();
  impl->tcp = true;
  impl->ctx = modbus_new_tcp("127.0.0.1", port);
  if (impl->ctx == nullptr) throw std::runtime_error("modbus_new_tcp failed");
  impl->listen_fd = modbus_tcp_listen(impl->ctx, 4);
  if (impl->listen_fd < 0)
    throw std::runtime_error(std::string("modbus_tcp_listen: ") + modbus_strerror(errno));
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(impl->listen_fd, reinterpret_cast<sockaddr*>(&sa), &len);
  impl->port = ntohs(sa.sin_port);
  return std::unique_ptr<ModbusTestServer>(new ModbusTestServer(std::move(impl)));
}

std::unique_ptr<ModbusTestServer> ModbusTestServer::rtu(RtuServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->tcp = false;
  impl->rtu_options = options;
  char name[256] = {};
  int slave = -1;
  if (::openpty(&impl->master_fd, &slave, name, nullptr, nullptr) != 0)
    throw std::runtime_error(std::string("openpty: ") + std::strerror(errno));
  // Raw line settings on the pty itself, so that nothing is echoed or translated even before
  // (or after) the client configures it.
  termios tio{};
  ::tcgetattr(slave, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(slave, TCSANOW, &tio);
  impl->slave_keep_fd = slave;  // keeps the master readable while the client reconnects
  impl->device = name;
  impl->ctx = modbus_new_rtu(name, options.baud, 'N', 8, 1);
  if (impl->ctx == nullptr) throw std::runtime_error("modbus_new_rtu failed");
  modbus_set_slave(impl->ctx, options.slave_id);
  modbus_set_socket(impl->ctx, impl->master_fd);
  if (options.rts_emulation) modbus_rtu_set_rts(impl->ctx, MODBUS_RTU_RTS_UP);
  return std::unique_ptr<ModbusTestServer>(new ModbusTestServer(std::move(impl)));
}

void ModbusTestServer::start() {
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  Impl* p = impl_.get();
  impl_->thread = std::thread([p] { p->tcp ? p->serve_tcp() : p->serve_rtu(); });
}

void ModbusTestServer::stop() {
  impl_->stopping = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t ModbusTestServer::port() const {
  return impl_->port;
}
const std::string& ModbusTestServer::device_path() const {
  return impl_->device;
}

void ModbusTestServer::set_holding(std::uint8_t unit, std::uint16_t address,
                                   const std::vector<std::uint16_t>& v) {
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->bank(unit);
  for (std::size_t i = 0; i < v.size() && address + i < 65536; ++i) b.holding[address + i] = v[i];
}

void ModbusTestServer::set_input(std::uint8_t unit, std::uint16_t address,
                                 const std::vector<std::uint16_t>& v) {
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->bank(unit);
  for (std::size_t i = 0; i < v.size() && address + i < 65536; ++i) b.input[address + i] = v[i];
}

std::vector<std::uint16_t> ModbusTestServer::holding(std::uint8_t unit, std::uint16_t address,
                                                     std::uint16_t count) const {
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->bank(unit);
  const auto end = std::min<std::size_t>(65536, std::size_t{address} + count);
  return {b.holding.begin() + address, b.holding.begin() + static_cast<long>(end)};
}

std::vector<std::uint16_t> ModbusTestServer::input(std::uint8_t unit, std::uint16_t address,
                                                   std::uint16_t count) const {
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->bank(unit);
  const auto end = std::min<std::size_t>(65536, std::size_t{address} + count);
  return {b.input.begin() + address, b.input.begin() + static_cast<long>(end)};
}

void ModbusTestServer::save_power_on_image() {
  std::lock_guard lock(impl_->mutex);
  impl_->power_on = impl_->banks;
}

void ModbusTestServer::set_register_map(std::uint8_t unit, std::uint16_t first, std::uint16_t last,
                                        bool input_registers) {
  std::lock_guard lock(impl_->mutex);
  impl_->maps[unit] = {first, last, input_registers};
}

void ModbusTestServer::add_exception(std::uint8_t function, std::uint16_t first, std::uint16_t last,
                                     std::uint8_t code) {
  std::lock_guard lock(impl_->mutex);
  impl_->rules.push_back({function, first, last, code});
}

void ModbusTestServer::set_silent(bool silent) {
  std::lock_guard lock(impl_->mutex);
  impl_->silent = silent;
}

void ModbusTestServer::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->delay = delay;
}

void ModbusTestServer::set_ignore_writes(bool ignore) {
  std::lock_guard lock(impl_->mutex);
  impl_->ignore_writes = ignore;
}

void ModbusTestServer::corrupt_next_responses(int n) {
  std::lock_guard lock(impl_->mutex);
  impl_->corrupt = n;
}

void ModbusTestServer::drop_connections() {
  std::lock_guard lock(impl_->mutex);
  impl_->drop = true;
}

void ModbusTestServer::restart() {
  std::lock_guard lock(impl_->mutex);
  impl_->drop = true;
  impl_->banks = impl_->power_on;
}

void ModbusTestServer::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->rules.clear();
  impl_->silent = false;
  impl_->delay = std::chrono::milliseconds{0};
  impl_->ignore_writes = false;
  impl_->corrupt = 0;
}

void ModbusTestServer::on_write(
    std::function<void(std::uint8_t, std::uint16_t, const std::vector<std::uint16_t>&)> hook) {
  std::lock_guard lock(impl_->mutex);
  impl_->write_hook = std::move(hook);
}

void ModbusTestServer::on_write_check(WriteCheck check) {
  std::lock_guard lock(impl_->mutex);
  impl_->write_check = std::move(check);
}

std::size_t ModbusTestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->n_requests;
}
std::size_t ModbusTestServer::writes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->n_writes;
}
std::size_t ModbusTestServer::connections_accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->n_accepted;
}

}  // namespace bessd::modbus::testing
