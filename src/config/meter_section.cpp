#include <bessd/config/sections.hpp>

namespace bessd::config {

void read_meter(ObjectReader& in, std::optional<MeterConfig>& out) {
  if (!in.present()) return;
  MeterConfig m;
  const std::size_t issues_before = in.issues().items().size();
  in.string("profile", m.profile, Presence::required, /*allow_empty=*/false);
  read_modbus_link(in, m);
  in.finish();
  if (in.issues().items().size() == issues_before) out = m;
}

}  // namespace bessd::config
