#include <bessd/modbus/testing/in_memory_modbus_client.hpp>

#include <memory>
#include <utility>

#include <boost/asio/post.hpp>

namespace bessd::modbus::testing {

namespace {

std::string function_text(InMemoryModbusClient::Function f) {
  switch (f) {
    case InMemoryModbusClient::Function::read_holding:
      return "read holding";
    case InMemoryModbusClient::Function::read_input:
      return "read input";
    case InMemoryModbusClient::Function::write_register:
      return "write single";
    case InMemoryModbusClient::Function::write_registers:
      return "write";
  }
  return "request";
}

ModbusDetail request_detail(const InMemoryModbusClient::Request& r) {
  return ModbusDetail{.function = static_cast<std::uint8_t>(r.function),
                      .unit = r.unit,
                      .address = r.address,
                      .count = r.count};
}

}  // namespace

InMemoryModbusClient::InMemoryModbusClient(boost::asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)), timer_(io) {}

InMemoryModbusClient::~InMemoryModbusClient() = default;

void InMemoryModbusClient::read_holding(std::uint8_t unit_id, std::uint16_t address,
                                        std::uint16_t count, ReadHandler handler) {
  submit({{Function::read_holding, unit_id, address, count, {}, true}, std::move(handler), {}});
}

void InMemoryModbusClient::read_input(std::uint8_t unit_id, std::uint16_t address,
                                      std::uint16_t count, ReadHandler handler) {
  submit({{Function::read_input, unit_id, address, count, {}, true}, std::move(handler), {}});
}

void InMemoryModbusClient::write_registers(std::uint8_t unit_id, std::uint16_t address,
                                           Registers values, WriteHandler handler) {
  const auto count = static_cast<std::uint16_t>(values.size());
  submit({{Function::write_registers, unit_id, address, count, std::move(values), true},
          {},
          std::move(handler)});
}

void InMemoryModbusClient::write_register(std::uint8_t unit_id, std::uint16_t address,
                                          std::uint16_t value, WriteHandler handler) {
  submit({{Function::write_register, unit_id, address, 1, {value}, true}, {}, std::move(handler)});
}

void InMemoryModbusClient::set_link_handler(LinkHandler handler) {
  on_link_ = std::move(handler);
}

void InMemoryModbusClient::start() {
  if (started_) return;
  started_ = true;
  notify_link(up_, up_ ? describe() + ": connected" : describe() + ": connection refused");
}

void InMemoryModbusClient::stop() {
  started_ = false;
  timer_.cancel();
  running_one_ = false;
  // Queued requests complete with `disconnected`, later, in order.
  auto queued = std::move(queue_);
  queue_.clear();
  for (auto& p : queued) {
    boost::asio::post(io_, [p = std::move(p), this, alive = std::weak_ptr<char>(alive_)]() mutable {
      if (alive.expired()) return;
      const Error e{ErrorCode::disconnected, where(p.request) + ": client stopped",
                    request_detail(p.request)};
      if (p.on_read) p.on_read(Failure{e});
      if (p.on_write) p.on_write(Failure{e});
    });
  }
}

std::string InMemoryModbusClient::describe() const {
  return name_;
}

void InMemoryModbusClient::set_holding(std::uint8_t unit, std::uint16_t address,
                                       const Registers& values) {
  auto& bank = units_[unit].holding;
  for (std::size_t i = 0; i < values.size(); ++i)
    bank[static_cast<std::uint16_t>(address + i)] = values[i];
}

void InMemoryModbusClient::set_input(std::uint8_t unit, std::uint16_t address,
                                     const Registers& values) {
  auto& bank = units_[unit].input;
  for (std::size_t i = 0; i < values.size(); ++i)
    bank[static_cast<std::uint16_t>(address + i)] = values[i];
}

namespace {
Registers read_bank(const std::map<std::uint16_t, std::uint16_t>& bank, std::uint16_t address,
                    std::uint16_t count) {
  Registers out(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const auto it = bank.find(static_cast<std::uint16_t>(address + i));
    if (it != bank.end()) out[i] = it->second;
  }
  return out;
}
}  // namespace

Registers InMemoryModbusClient::holding(std::uint8_t unit, std::uint16_t address,
                                        std::uint16_t count) const {
  const auto it = units_.find(unit);
  return it == units_.end() ? Registers(count, 0) : read_bank(it->second.holding, address, count);
}

Registers InMemoryModbusClient::input(std::uint8_t unit, std::uint16_t address,
                                      std::uint16_t count) const {
  const auto it = units_.find(unit);
  return it == units_.end() ? Registers(count, 0) : read_bank(it->second.input, address, count);
}

void InMemoryModbusClient::add_exception(std::uint8_t function, std::uint16_t first,
                                         std::uint16_t last, std::uint8_t code) {
  exceptions_.push_back({function, first, last, code});
}

void InMemoryModbusClient::fail_after(std::size_t n, Error error) {
  fail_after_ = n;
  fail_with_ = std::move(error);
}

void InMemoryModbusClient::set_delay(std::chrono::milliseconds delay) {
  delay_ = delay;
}

void InMemoryModbusClient::set_ignore_writes(bool ignore) {
  ignore_writes_ = ignore;
}

void InMemoryModbusClient::link_down(const std::string& detail) {
  if (!up_) return;
  up_ = false;
  if (started_) notify_link(false, describe() + ": " + detail);
}

void InMemoryModbusClient::link_up() {
  if (up_) return;
  up_ = true;
  if (started_) notify_link(true, describe() + ": reconnected");
}

void InMemoryModbusClient::clear_faults() {
  exceptions_.clear();
  fail_after_.reset();
  fail_with_.reset();
  delay_ = std::chrono::milliseconds{0};
  ignore_writes_ = false;
}

std::vector<InMemoryModbusClient::Request> InMemoryModbusClient::writes_to(
    std::uint16_t first, std::uint16_t last) const {
  std::vector<Request> out;
  for (const auto& r : log_) {
    const bool write =
        r.function == Function::write_registers || r.function == Function::write_register;
    if (!write || r.count == 0) continue;
    const std::uint32_t end = std::uint32_t{r.address} + r.count - 1;
    if (r.address <= last && end >= first) out.push_back(r);
  }
  return out;
}

void InMemoryModbusClient::submit(Pending p) {
  queue_.push_back(std::move(p));
  run_next();
}

// One request at a time, answered from a posted handler (never inline), after the delay.
void InMemoryModbusClient::run_next() {
  if (running_one_ || queue_.empty()) return;
  running_one_ = true;
  std::weak_ptr<char> alive = alive_;
  auto carry_out = [this, alive] {
    if (alive.expired() || !running_one_ || queue_.empty()) return;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    complete(std::move(p));
  };
  if (delay_.count() == 0) {
    boost::asio::post(io_, carry_out);
    return;
  }
  timer_.expires_after(delay_);
  timer_.async_wait([carry_out](const boost::system::error_code& ec) {
    if (!ec) carry_out();
  });
}

void InMemoryModbusClient::complete(Pending p) {
  Request& r = p.request;
  if (on_request_) on_request_(r);
  std::optional<Error> error;
  if (!started_ || !up_)
    error = Error{ErrorCode::disconnected, where(r) + ": link down"};
  else
    error = injected(r);
  Registers read;
  if (!error) {
    if (r.function == Function::write_registers || r.function == Function::write_register) {
      if (!ignore_writes_) set_holding(r.unit, r.address, r.values);
    } else {
      const auto& unit = units_.at(r.unit);  // injected() answered 0x0B for unknown units
      read = read_bank(r.function == Function::read_input ? unit.input : unit.holding, r.address,
                       r.count);
    }
  }
  // Every error names its request as data, as the real client's do (modbus_client.hpp).
  if (error) error = with_request(std::move(*error), request_detail(r));
  r.ok = !error.has_value();
  log_.push_back(r);
  std::weak_ptr<char> alive = alive_;
  if (p.on_read) {
    if (error)
      p.on_read(Failure{*error});
    else
      p.on_read(std::move(read));
  }
  if (p.on_write) p.on_write(error ? Status{Failure{*error}} : Status{});
  if (alive.expired()) return;  // the handler ended the client
  running_one_ = false;
  run_next();
}

std::optional<Error> InMemoryModbusClient::injected(const Request& r) {
  const std::size_t max = r.function == Function::write_register    ? 1
                          : r.function == Function::write_registers ? kMaxWriteRegisters
                                                                    : kMaxReadRegisters;
  if (r.count == 0 || r.count > max)
    return Error{ErrorCode::invalid_argument, where(r) + ": count " + std::to_string(r.count)};
  if (fail_after_) {
    if (*fail_after_ == 0) return fail_with_;
    --*fail_after_;
  }
  if (!units_.count(r.unit)) return error_for(r, 0x0B);
  const std::uint32_t end = std::uint32_t{r.address} + r.count - 1;
  for (const auto& e : exceptions_) {
    const bool function_matches =
        e.function == 0 || e.function == static_cast<std::uint8_t>(r.function);
    if (function_matches && r.address <= e.last && end >= e.first) return error_for(r, e.code);
  }
  return std::nullopt;
}

Error InMemoryModbusClient::error_for(const Request& r, std::uint8_t code) const {
  return exception_error(where(r), code, request_detail(r));
}

std::string InMemoryModbusClient::where(const Request& r) const {
  return describe() + " unit " + std::to_string(r.unit) + ": " + function_text(r.function) + " " +
         std::to_string(r.address) + "+" + std::to_string(r.count);
}

void InMemoryModbusClient::notify_link(bool up, const std::string& detail) {
  std::weak_ptr<char> alive = alive_;
  boost::asio::post(io_, [this, alive, up, detail] {
    if (alive.expired()) return;
    if (on_link_) on_link_(up, detail);
  });
}

}  // namespace bessd::modbus::testing
