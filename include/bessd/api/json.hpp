#pragma once
// JSON views of the DTOs (field names carry units; battery power and current + = charging).
// Absent values are JSON null, never 0. Times are RFC 3339 UTC strings with milliseconds.

#include <nlohmann/json.hpp>

#include <bessd/api/command_dto.hpp>
#include <bessd/api/compliance_dto.hpp>
#include <bessd/api/health_dto.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/plan_dto.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {

using Json = nlohmann::json;

std::string format_time(WallTime t);
/// An energy figure as the API shows it: kWh to the thousandth of a watt-hour, finer than any
/// meter and coarse enough to read (docs/api.md "Energy counters").
double round_kwh(double kwh);
/// Money to the hundredth of the currency: more digits claim a precision flat prices lack.
double round_money(double amount);
/// How the battery's saving is estimated, as `prices.method` states it.
extern const char* const kSavingMethod;
Json to_json(const core::Cause& c);
Json to_json(const core::PackState& p);
Json to_json(const core::InverterState& i);
Json to_json(const core::Envelope& e);
Json to_json(const StatusDto& s);
Json to_json(const LimitsDto& l);
Json to_json(const ComplianceDto& c);
Json to_json(const HealthDto& h);
Json to_json(const EventRecord& e);
Json to_json(const HistorySeries& h);
Json to_json(const EnergyReport& r);
Json to_json(const AuditRecord& a);
Json to_json(const Requester& r);
/// The request as the audit names it: {"mode", "setpoint_w"?, "expires_in_s"?}.
Json to_json(const ModeRequest& r);
Json to_json(const ModeVerdict& v);
Json to_json(const SettingsRequest& r);
Json to_json(const ScheduleStatus& s);
Json to_json(const SocSetting& s);
Json to_json(const SettingsDto& s);
Json to_json(const PlanDto& p);
Json to_json(const AckResult& a);
Json to_json(const SelfTestReport& r);

/// A copy of `config` with every secret-looking value replaced by "<redacted>" (keys containing
/// token, secret, password, passphrase, credential, private_key or api_key).
Json redact_secrets(const Json& config);

}  // namespace bessd::api
