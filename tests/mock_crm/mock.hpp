#pragma once
// The mock CRM's routing model. Each CRM's answers live in one file `crm_<name>.cpp` that
// defines `void register_<name>(Router&)`; crms.cpp lists them (one X(name) line per CRM).
//
// A route is chosen by host pattern + method + path pattern:
//   host:  "*.pipedrive.com" (any subdomain), "app.clio.com" (exact), "" (any host)
//   path:  "/api/v2/persons/{id}" — "{name}" captures one segment into MockRequest::params;
//          a final "*" matches the rest of the path (zero or more segments), captured as "*".
// Routes are tried in registration order; the first match answers. No match → 404.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

namespace mock {

struct MockRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as received: path + "?" + query
  std::string path;                            // target before '?', not decoded
  std::map<std::string, std::string> query;    // decoded ('+' and %XX); last value wins
  std::string host;                            // Host header without port, lowercased
  std::string host_header;                     // Host header as received (HOST:PORT)
  std::map<std::string, std::string> headers;  // names lowercased; repeats joined by ", "
  std::string body;                            // raw body text
  rapidjson::Document json;                    // the body parsed; Null when empty or not JSON
  bool json_ok = false;                        // body was non-empty valid JSON
  std::map<std::string, std::string> params;   // path captures ("{id}" → params["id"])

  // Header value (name case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  // The first label of the host ("1234567" for 1234567.restlets.api.netsuite.com).
  std::string first_label() const;
};

struct MockResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;   // never answer (the connection stays open until the client leaves)
  bool close = false;  // answer with Connection: close, then close
  bool drop_next = false;  // answer; the next request on this connection is read, recorded,
                           // and the connection dropped without an answer (a dying keep-alive)

  // A JSON answer (Content-Type: application/json).
  static MockResponse json(int status, std::string body);
  MockResponse& with_header(std::string name, std::string value);
};

using Handler = std::function<MockResponse(const MockRequest&)>;

class Router {
 public:
  void add(std::string host_pattern, std::string method, std::string path_pattern, Handler h);
  // Fills req.params from the matching route; nullopt when none matches.
  std::optional<MockResponse> route(MockRequest& req) const;

 private:
  struct Route {
    std::string host;
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Registers every CRM and the test behaviours (crms.cpp).
void register_all(Router& r);
// A failure asked for by the credential ("mock-status-NNN", crm_test_behaviours.cpp); the
// server checks it before routing.
std::optional<MockResponse> injected_status(const MockRequest& req);

// --- helpers the CRM files share --------------------------------------------------------

// 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193).
uint32_t fnv1a32(std::string_view bytes);
// golden/README.md "The mock's answers": 100000000 + FNV1a32(parts joined by '|') % 900000000.
uint64_t mock_id(std::initializer_list<std::string_view> parts);
uint64_t mock_id(const std::vector<std::string>& parts);
// JavaScript String() of the JSON value at a path of keys in the request body ("undefined"
// when absent), for id keys.
std::string js_string_at(const MockRequest& req, std::initializer_list<std::string_view> keys);

// A string as a JSON string literal.
std::string json_quote(std::string_view s);

}  // namespace mock
