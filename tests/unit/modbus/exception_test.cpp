#include <gtest/gtest.h>

#include <bessd/modbus/modbus_client.hpp>

namespace bessd::modbus {
namespace {

TEST(ModbusException, NamesFollowTheSpecificationTable) {
  EXPECT_EQ(exception_name(0x02), "Illegal Data Address");
  EXPECT_EQ(exception_name(0x0B), "Gateway Target Device Failed to Respond");
  EXPECT_EQ(exception_name(0x09), "Unknown exception");
}

TEST(ModbusException, CodeRoundTripsThroughTheError) {
  for (std::uint8_t code : {0x01, 0x02, 0x04, 0x0A, 0x0B}) {
    const Error e = exception_error("modbus tcp x: read 1+1", code);
    EXPECT_EQ(e.code, ErrorCode::protocol_error);
    ASSERT_TRUE(exception_code_of(e).has_value()) << e.message;
    EXPECT_EQ(*exception_code_of(e), code);
  }
  EXPECT_FALSE(exception_code_of(Error{ErrorCode::timeout, "exception 0x02"}).has_value());
  EXPECT_FALSE(exception_code_of(Error{ErrorCode::protocol_error, "garbage"}).has_value());
}

}  // namespace
}  // namespace bessd::modbus
