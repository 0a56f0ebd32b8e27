#pragma once
// The JSON text of the documents clients poll (GET /v1/status, GET /v1/limits), written without
// building a Json tree first. The bytes are those of to_json(x).dump(-1, ' ', false,
// Json::error_handler_t::replace): json.hpp stays the reference, json_text_test.cpp holds the two
// to the same output.

#include <string>

#include <bessd/api/limits_dto.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {

std::string to_json_text(const StatusDto& s);
std::string to_json_text(const LimitsDto& l);

}  // namespace bessd::api
