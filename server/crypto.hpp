#pragma once
// Password hashing (Argon2id through libsodium) and random tokens. Call crypto_init() once at start.
#include <string>
#include <string_view>

namespace gongkai::crypto {

void init();  // sodium_init; throws if the library cannot start

std::string hash_password(std::string_view password);  // Argon2id, self-describing string
bool verify_password(std::string_view hash, std::string_view password);

std::string random_token(std::size_t bytes = 32);  // URL-safe base64, no padding
std::string token_hash(std::string_view token);    // BLAKE2b-256, lower-case hex
std::string random_password();                     // 20 characters, easy to type, no look-alikes

}  // namespace gongkai::crypto
