#include "core/crypto.hpp"

#include "core/errors.hpp"

#include <sodium.h>

#include <chrono>
#include <semaphore>
#include <stdexcept>

namespace gongkai::crypto {

namespace {

// Argon2id (interactive limits) takes 64 MiB and a good part of a core per hash or check. At most two run
// at once in a process; a caller waits briefly for a slot and is then refused (503 + Retry-After), so a
// flood of logins can neither take every database thread nor balloon the process's memory.
constexpr std::ptrdiff_t hashing_slots = 2;
constexpr auto hashing_wait = std::chrono::milliseconds(500);

class hashing_slot {
 public:
  hashing_slot() {
    if (!slots().try_acquire_for(hashing_wait)) throw unavailable_error("password hashing saturated");
  }
  ~hashing_slot() { slots().release(); }
  hashing_slot(const hashing_slot&) = delete;
  hashing_slot& operator=(const hashing_slot&) = delete;

 private:
  static std::counting_semaphore<hashing_slots>& slots() {
    static std::counting_semaphore<hashing_slots> s(hashing_slots);
    return s;
  }
};

}  // namespace

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  hashing_slot slot;
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  std::string h(hash);  // libsodium wants a NUL-terminated string
  hashing_slot slot;
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void with_hashing_slot(const std::function<void()>& f) {
  hashing_slot slot;
  f();
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string token_hash(std::string_view token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string random_password() {
  static constexpr std::string_view alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i) out += alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))];
  return out;
}

namespace {

constexpr std::string_view crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string to_hex(const unsigned char* data, std::size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, n);
  hex.pop_back();
  return hex;
}

std::string b64(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

}  // namespace

std::string new_access_code() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  // 128 bits -> 26 base32 digits (the last carries 3 bits).
  std::string digits;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char b : raw) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      digits += crockford[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) digits += crockford[(buffer << (5 - bits)) & 31];
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && i % 4 == 0) grouped += '-';
    grouped += digits[i];
  }
  return grouped;
}

std::string access_code_hash(std::string_view typed) {
  std::string canonical;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    canonical += c;
  }
  return token_hash("access-code:" + canonical);
}

std::string sign_form_token(std::string_view key, std::string_view purpose, long long now, long long lifetime) {
  unsigned char body[24];
  randombytes_buf(body, 16);
  long long expires = now + lifetime;
  for (int i = 0; i < 8; ++i) body[16 + i] = static_cast<unsigned char>((expires >> (8 * (7 - i))) & 0xFF);
  std::string message = std::string(purpose) + "|" + std::string(reinterpret_cast<const char*>(body), sizeof body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return b64(body, sizeof body) + "." + b64(mac, sizeof mac);
}

std::optional<std::string> verify_form_token(std::string_view key, std::string_view purpose, std::string_view token,
                                             long long now) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 200) return std::nullopt;
  unsigned char body[24], mac[crypto_auth_hmacsha256_BYTES];
  std::size_t body_len = 0, mac_len = 0;
  std::string b(token.substr(0, dot)), m(token.substr(dot + 1));
  if (sodium_base642bin(body, sizeof body, b.c_str(), b.size(), nullptr, &body_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || body_len != sizeof body)
    return std::nullopt;
  if (sodium_base642bin(mac, sizeof mac, m.c_str(), m.size(), nullptr, &mac_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || mac_len != sizeof mac)
    return std::nullopt;
  std::string message = std::string(purpose) + "|" + std::string(reinterpret_cast<const char*>(body), sizeof body);
  unsigned char expected[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, expected);
  if (sodium_memcmp(expected, mac, sizeof mac) != 0) return std::nullopt;
  long long expires = 0;
  for (int i = 0; i < 8; ++i) expires = (expires << 8) | body[16 + i];
  if (now > expires) return std::nullopt;
  return to_hex(body, 16);
}

std::string new_secret_key() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  return to_hex(raw, sizeof raw);
}

}  // namespace gongkai::crypto
