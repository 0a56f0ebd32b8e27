#include <bessd/app/price_feed.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string_view>
#include <thread>

#include <boost/asio/post.hpp>

#include <bessd/common/errno_text.hpp>

namespace bessd::app {

namespace {

constexpr std::size_t kMaxPriceFileBytes = std::size_t{4} * 1024 * 1024;

}  // namespace

Result<std::string> read_price_text(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO never waits
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
  return text;
}

struct PriceFeed::Worker {
  struct Stamp {
    std::uint64_t device{0}, inode{0}, size{0};
    std::int64_t mtime_ns{0};
    std::int64_t ctime_ns{0};  // a chmod that makes it readable changes only this
    int error{0};              // errno of stat, 0 when it worked
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  std::optional<Stamp> read_stamp;       // the file as last read, good or bad
  std::optional<std::size_t> good_text;  // hash of the last text that parsed
  std::atomic<bool> busy{false};         // a check under way: the next one is not queued behind it
};

PriceFeed::PriceFeed(boost::asio::io_context& io, const Clock& clock, std::string path,
                     OnPrices on_prices, OnEvent on_event, Duration check_every)
    : io_(io),
      clock_(clock),
      timer_(io),
      check_every_(check_every),
      on_prices_(std::move(on_prices)),
      on_event_(std::move(on_event)),
      worker_state_(std::make_shared<Worker>()),
      worker_(std::make_unique<boost::asio::thread_pool>(1)) {
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
  if (!worker_) return;
  // The pool is joined off the event loop; a read under way finishes there, its result dropped.
  std::thread([pool = std::move(worker_)] { pool->join(); }).detach();
}

void PriceFeed::arm() {
  timer_.expires_after(check_every_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    check_now();
    arm();
  });
}

// stat and read on the worker: a file on a slow or hung mount never holds the event loop. The
// worker keeps its own state (the file as last seen), so it may outlive this object.
void PriceFeed::check_now() {
  if (stopped_ || !worker_ || worker_state_->busy.exchange(true)) return;
  // The worker touches nothing of this object but through `alive` on the event loop (the
  // io_context outlives every feed).
  boost::asio::post(*worker_, [this, io = &io_, w = worker_state_, path = state_.file,
                               alive = std::weak_ptr<int>(alive_)] {
    Worker::Stamp stamp;
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
    if (w->read_stamp == stamp) {  // unchanged since the last read, good or bad
      w->busy = false;
      return;
    }
    w->read_stamp = stamp;
    auto text = read_price_text(path);
    const auto hash = text ? std::optional(std::hash<std::string>{}(*text)) : std::nullopt;
    // The same prices written again (a timer that fetches what it fetched before): nothing new.
    if (hash && hash == w->good_text) {
      w->busy = false;
      return;
    }
    auto read = text ? energy::parse_price_list(*text, path)
                     : Result<energy::PriceList>(Failure{text.error()});
    w->good_text = read ? hash : std::nullopt;
    w->busy = false;
    boost::asio::post(*io, [this, alive, read = std::move(read)]() mutable {
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
