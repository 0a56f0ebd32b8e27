#include <bessd/sim/devices/meter_device.hpp>

#include <bit>
#include <stdexcept>
#include <vector>

#include <bessd/sim/devices/register_words.hpp>

namespace bessd::sim {
namespace {

constexpr std::uint16_t kSunSpecBase = 40000;
constexpr std::uint16_t kCommonLength = 66;
// Model 203 (integer + scale factor, W at +18) or 213 (floats, W at +28).
constexpr std::uint16_t kMeterLength = 105;
constexpr std::uint16_t kFloatMeterLength = 124;
constexpr std::uint16_t kMeterAt = kSunSpecBase + 2 + 2 + kCommonLength;  // the model's ID

std::vector<std::uint16_t> float_words(double v) {
  const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(v));
  return {static_cast<std::uint16_t>(bits >> 16), static_cast<std::uint16_t>(bits & 0xFFFF)};
}

}  // namespace

SimMeter::SimMeter(const std::string& kind, std::uint8_t unit, std::uint16_t port)
    : sunspec_(kind == "sunspec_meter" || kind == "sunspec_meter_float"),
      float_(kind == "sunspec_meter_float"),
      unit_(unit),
      server_(modbus::testing::ModbusTestServer::tcp(port)) {
  if (kind != "sdm630" && !sunspec_)
    throw std::invalid_argument("unknown meter \"" + kind +
                                "\" (sdm630, sunspec_meter, sunspec_meter_float)");
  if (sunspec_) {
    // "SunS", the common model (1) with a manufacturer, the meter model, and the end marker.
    const std::uint16_t length = float_ ? kFloatMeterLength : kMeterLength;
    std::vector<std::uint16_t> image(2 + 2 + kCommonLength + 2 + length + 2, 0);
    image[0] = 0x5375;
    image[1] = 0x6e53;
    image[2] = 1;
    image[3] = kCommonLength;
    image[4] = ('b' << 8) | 'e';
    image[5] = ('s' << 8) | 's';
    const std::size_t m = kMeterAt - kSunSpecBase;
    image[m] = float_ ? 213 : 203;
    image[m + 1] = length;
    if (!float_) image[m + 22] = words::s16(0);  // W_SF: whole watts
    image[m + 2 + length] = 0xFFFF;
    image[m + 2 + length + 1] = 0;
    server_->set_holding(unit_, kSunSpecBase, image);
  } else {
    server_->set_input(unit_, 0, std::vector<std::uint16_t>(80, 0));
  }
}

void SimMeter::start() {
  server_->start();
}
void SimMeter::stop() {
  server_->stop();
}

void SimMeter::refresh(const SimWorld& world) {
  const double grid_w = world.readings().grid_power_w;  // + = import
  if (float_)
    server_->set_holding(unit_, kMeterAt + 28, float_words(grid_w));
  else if (sunspec_)
    server_->set_holding(unit_, kMeterAt + 18, {words::s16(grid_w)});
  else
    server_->set_input(unit_, 52, float_words(grid_w));
}

}  // namespace bessd::sim
