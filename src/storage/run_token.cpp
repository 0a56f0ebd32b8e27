#include <bessd/storage/records.hpp>

#include <random>

namespace bessd::storage {

std::int64_t new_run_token() {
  std::random_device seed;
  std::mt19937_64 random((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
  std::uniform_int_distribution<std::int64_t> pick(1, (std::int64_t{1} << 53) - 1);
  return pick(random);
}

}  // namespace bessd::storage
