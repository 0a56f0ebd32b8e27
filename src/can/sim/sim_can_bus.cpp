#include <bessd/can/sim_can_bus.hpp>

#include <algorithm>

#include <boost/asio/post.hpp>

namespace bessd::can {

SimCanBus::SimCanBus(boost::asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)) {}

SimCanBus::~SimCanBus() {
  alive_.reset();
  for (SimCanBus* peer : peers_) std::erase(peer->peers_, this);
}

void SimCanBus::connect(SimCanBus& a, SimCanBus& b) {
  if (&a == &b) return;
  if (std::find(a.peers_.begin(), a.peers_.end(), &b) == a.peers_.end()) a.peers_.push_back(&b);
  if (std::find(b.peers_.begin(), b.peers_.end(), &a) == b.peers_.end()) b.peers_.push_back(&a);
}

void SimCanBus::open() {
  if (open_) return;
  open_ = true;
  if (error_handler_) {
    std::weak_ptr<int> alive = alive_;
    boost::asio::post(io_, [this, alive] {
      if (!alive.expired() && open_ && error_handler_)
        error_handler_(CanBusError{CanErrorKind::link_up, "sim " + name_ + ": open"});
    });
  }
}

void SimCanBus::close() {
  open_ = false;
}

Status SimCanBus::send(const CanFrame& frame) {
  if (!open_) return fail(ErrorCode::disconnected, "sim " + name_ + ": not open");
  if (!link_up_) return fail(ErrorCode::disconnected, "sim " + name_ + ": link down");
  if (frame.error || !is_valid(frame))
    return fail(ErrorCode::invalid_argument,
                "sim " + name_ + ": invalid frame " + to_string(frame));
  sent_.push_back(frame);
  for (SimCanBus* peer : peers_) peer->deliver(frame);
  return {};
}

void SimCanBus::deliver(const CanFrame& frame) {
  if (!link_up_) return;  // a frame on a cut wire is lost
  std::weak_ptr<int> alive = alive_;
  boost::asio::post(io_, [this, alive, frame] {
    if (alive.expired() || !open_ || !link_up_ || !frame_handler_) return;
    frame_handler_(frame);
  });
}

void SimCanBus::inject(const CanFrame& frame) {
  deliver(frame);
}

void SimCanBus::inject_error(CanBusError error) {
  std::weak_ptr<int> alive = alive_;
  boost::asio::post(io_, [this, alive, error = std::move(error)] {
    if (!alive.expired() && error_handler_) error_handler_(error);
  });
}

void SimCanBus::set_link_up(bool up) {
  if (up == link_up_) return;
  link_up_ = up;
  inject_error(CanBusError{up ? CanErrorKind::link_up : CanErrorKind::link_lost,
                           "sim " + name_ + (up ? ": link up" : ": link down")});
}

}  // namespace bessd::can
