#pragma once
// Redis Cluster facts the client needs: the redirect errors a node answers when it does not serve
// a key's slot, and the slot of a key (CRC16 of its hash tag, modulo 16384).
//   -MOVED <slot> <host>:<port>   the slot lives elsewhere for good: re-point and send again
//   -ASK <slot> <host>:<port>     the slot is migrating: send ASKING + the command there, once
// A node that does not know its own endpoint announces it as ":<port>": host is then empty and
// means "the host we are talking to".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/redis/redis_client.hpp"

namespace calllog::redis {

struct Redirect {
  enum class Kind { moved, ask };
  Kind kind = Kind::moved;
  int slot = 0;
  std::string host;   // may be empty (see above); IPv6 without brackets
  uint16_t port = 0;
};

// The redirect carried by an error reply, or nullopt for any other reply or a malformed one.
std::optional<Redirect> parse_redirect(const Reply& reply);
std::optional<Redirect> parse_redirect(std::string_view error_text);

// The hash slot of a key: the CRC16 (XMODEM) of the text between the first '{' and the next '}'
// when that is non-empty, of the whole key otherwise; modulo 16384.
uint16_t key_slot(std::string_view key);

}  // namespace calllog::redis
