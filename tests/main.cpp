#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/log.hpp"
#include "core/crypto.hpp"

int main(int argc, char** argv) {
  gongkai::crypto::init();
  gongkai::log::set_access_enabled(false);
  return Catch::Session().run(argc, argv);
}
