#include <bessd/app/price_feed.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include <boost/asio/post.hpp>

#include <bessd/common/errno_text.hpp>

namespace bessd::app {

namespace {

constexpr std::size_t kMaxPriceFileBytes = 4 * 1024 * 1024;

}  // namespace

Result<energy::PriceList> read_price_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorCode::io_error, "price file " + path + ": cannot open: " + errno_text(errno));
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail(ErrorCode::io_error, "price file " + path + ": cannot read: " + errno_text(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxPriceFileBytes) {
      ::close(fd);
      return fail(ErrorCode::invalid_argument,
                  "price file " + path + ": larger than 4 MiB (a month of half-hours is 100 kB)");
    }
  }
  ::close(fd);
  return energy::parse_price_list(text, path);
}

PriceFeed::PriceFeed(boost::asio::io_context& io, const Clock& clock, std::string path,
                     OnPrices on_prices, OnEvent on_event, Duration check_every)
    : io_(io),
      clock_(clock),
      timer_(io),
      check_every_(check_every),
      on_prices_(std::move(on_prices)),
      on_event_(std::move(on_event)) {
  state_.file = std::move(path);
}

PriceFeed::~PriceFeed() {
  stop();
}

void PriceFeed::start() {
  stopped_ = false;
  check_now();
  arm();
}

void PriceFeed::stop() {
  stopped_ = true;
  timer_.cancel();
  worker_.join();  // a read under way finishes; its result is dropped (stopped_)
}

void PriceFeed::arm() {
  timer_.expires_after(check_every_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    check_now();
    arm();
  });
}

// stat on the worker: a file on a slow or hung mount never holds the event loop.
void PriceFeed::check_now() {
  if (stopped_) return;
  boost::asio::post(worker_, [this, path = state_.file, alive = std::weak_ptr<int>(alive_)] {
    Stamp stamp;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      stamp.error = errno;
    } else {
      stamp.device = st.st_dev;
      stamp.inode = st.st_ino;
      stamp.size = static_cast<std::uint64_t>(st.st_size);
      stamp.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
      stamp.ctime_ns = std::int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
    }
    if (read_stamp_ == stamp) return;  // unchanged since the last read, good or bad
    read_stamp_ = stamp;
    auto read = read_price_file(path);
    boost::asio::post(io_, [this, alive, read = std::move(read)]() mutable {
      if (alive.lock() && !stopped_) applied(std::move(read));
    });
  });
}

void PriceFeed::applied(Result<energy::PriceList> read) {
  core::Event e;
  e.at = clock_.now();
  e.source = "prices";
  e.code = "prices.unreadable";
  e.fields["file"] = state_.file;
  if (!read) {
    const bool repeated = state_.error == read.error().message;
    state_.error = read.error().message;
    if (repeated) return;
    e.severity = core::Severity::warning;
    e.edge = core::EventEdge::raised;
    e.message = state_.error + (state_.read_at ? "; the prices read before stay in use"
                                               : "; planning by price waits for a price list");
    if (on_event_) on_event_(e);
    return;
  }
  if (!state_.error.empty()) {
    e.edge = core::EventEdge::cleared;
    e.message = "price file " + state_.file + " read again";
    if (on_event_) on_event_(e);
    state_.error.clear();
  }
  auto list = std::make_shared<const energy::PriceList>(std::move(*read));
  state_.read_at = clock_.wall_now();
  state_.slots = list->slots.size();
  state_.first_start = list->slots.front().start;
  state_.last_end = list->slots.back().end;
  core::Event loaded;
  loaded.at = e.at;
  loaded.source = "prices";
  loaded.code = "prices.loaded";
  loaded.message = "price file " + state_.file + ": " + std::to_string(state_.slots) + " slots";
  loaded.fields["file"] = state_.file;
  loaded.fields["slots"] = std::to_string(state_.slots);
  loaded.fields["from_unix_ms"] = std::to_string(to_unix_ms(*state_.first_start));
  loaded.fields["until_unix_ms"] = std::to_string(to_unix_ms(*state_.last_end));
  if (on_event_) on_event_(loaded);
  if (on_prices_) on_prices_(std::move(list));
}

}  // namespace bessd::app
