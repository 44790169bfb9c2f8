#pragma once
// Password hashing (Argon2id through libsodium) and random tokens. Call crypto_init() once at start.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gongkai::crypto {

void init();  // sodium_init; throws if the library cannot start

// Argon2id, self-describing string. At most two hashes or checks run at once per process; when none is
// free within half a second both throw http::unavailable_error (503 + Retry-After).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view hash, std::string_view password);
// Runs while holding one of the two hashing slots (tests use it to saturate them).
void with_hashing_slot(const std::function<void()>& f);

std::string random_token(std::size_t bytes = 32);  // URL-safe base64, no padding
std::string token_hash(std::string_view token);    // BLAKE2b-256, lower-case hex
std::string random_password();                     // 20 characters, easy to type, no look-alikes

// An applicant's access code: 128 random bits as Crockford base32, in groups of four ("7K3M-...").
std::string new_access_code();
// HMAC-SHA256 of `message` under `key`, as lower-case hex (webhook signatures).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// The canonical form of a typed code (upper case, no separators, O->0, I/L->1), then hashed.
std::string access_code_hash(std::string_view typed);

// Anti-forgery tokens: signed (HMAC-SHA256 with a key shared by all instances), bound to a purpose,
// valid for `lifetime` seconds. verify() returns the token's nonce (32 hex characters) so the caller can
// record it as used; a token works once.
std::string sign_form_token(std::string_view key, std::string_view purpose, long long now, long long lifetime);
std::optional<std::string> verify_form_token(std::string_view key, std::string_view purpose, std::string_view token,
                                             long long now);
std::string new_secret_key();  // 32 random bytes, hex

}  // namespace gongkai::crypto
