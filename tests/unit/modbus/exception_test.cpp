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
  const ModbusDetail request{
      .function = ModbusDetail::kReadHolding, .unit = 1, .address = 1, .count = 1};
  for (std::uint8_t code : {0x01, 0x02, 0x04, 0x0A, 0x0B}) {
    const Error e = exception_error("modbus tcp x: read 1+1", code, request);
    EXPECT_EQ(e.code, ErrorCode::protocol_error);
    ASSERT_TRUE(exception_code_of(e).has_value()) << e.message;
    EXPECT_EQ(*exception_code_of(e), code);
    ASSERT_TRUE(e.modbus.has_value());
    EXPECT_EQ(e.modbus->address, 1);
    EXPECT_EQ(e.modbus->function, ModbusDetail::kReadHolding);
  }
  EXPECT_FALSE(exception_code_of(Error{ErrorCode::timeout, "exception 0x02"}).has_value());
  EXPECT_FALSE(exception_code_of(Error{ErrorCode::protocol_error, "garbage"}).has_value());
}

// The code is data: a message that reads like an exception carries none.
TEST(ModbusException, TheMessageIsNotRead) {
  const Error e{ErrorCode::protocol_error,
                "modbus tcp x: write 2716+2 unit 100: exception 0x02 Illegal Data Address"};
  EXPECT_FALSE(exception_code_of(e).has_value());
  EXPECT_EQ(exception_error("w", 0x02).message, "w: exception 0x02 Illegal Data Address");
}

TEST(ModbusException, TheRequestIsAttachedAndTheCodeKept) {
  const ModbusDetail write{
      .function = ModbusDetail::kWriteRegisters, .unit = 100, .address = 2716, .count = 2};
  const Error timeout = with_request(Error{ErrorCode::timeout, "t"}, write);
  EXPECT_EQ(timeout.modbus, write);
  EXPECT_EQ(timeout.message, "t");
  // An injected exception (a fake's) takes the request it answered, keeping its code.
  const Error refused = with_request(exception_error("e", 0x0B), write);
  ASSERT_TRUE(refused.modbus);
  EXPECT_EQ(refused.modbus->address, 2716);
  EXPECT_EQ(refused.modbus->exception, std::uint8_t{0x0B});
  EXPECT_TRUE(write.covers(2716));
  EXPECT_TRUE(write.covers(2717));
  EXPECT_FALSE(write.covers(2718));
  EXPECT_FALSE(write.covers(2715));
}

}  // namespace
}  // namespace bessd::modbus
