#include <algorithm>

#include <bessd/config/sections.hpp>

namespace bessd::config {

void read_prices(ObjectReader& in, std::optional<PricesConfig>& out) {
  if (!in.present()) return;
  PricesConfig p;
  bool ok = in.string("currency", p.currency, Presence::required, /*allow_empty=*/false);
  // Characters, not bytes: a symbol such as € is three bytes of UTF-8.
  const auto characters = std::count_if(p.currency.begin(), p.currency.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (ok && characters > 8) {
    in.issues().add(in.child_pointer("currency"),
                    "must be at most 8 characters (a code such as GBP or a symbol such as £), "
                    "got \"" +
                        p.currency + "\"");
    ok = false;
  }
  // A price per kWh above 100 is a unit mistake (pence or cents for pounds or euros).
  ok = in.number("import_per_kwh", p.import_per_kwh, NumberRange::between(0.0, 100.0),
                 Presence::required) &&
       ok;
  if (in.has("export_per_kwh"))  // absent: nothing is paid for export
    ok = in.number("export_per_kwh", p.export_per_kwh, NumberRange::between(0.0, 100.0)) && ok;
  in.finish();
  if (ok) out = p;
}

}  // namespace bessd::config
