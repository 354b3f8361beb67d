#pragma once
// A one-shot failure hook for partial-write tests: a credential containing "mock-once-<step>"
// makes the first request of that step (per credential, method and target) answer 503 with
// Retry-After: 1 ("mock-once429-<step>": 429 with Retry-After: 1 and ratelimit-* exhausted); the
// same request succeeds afterwards. The mock runs on one thread.
#include <optional>
#include <string_view>

#include "mock.hpp"

namespace mock {

// `cred` is the request's credential (Authorization or BhRestToken); `step` names the route,
// e.g. "comments", "phonecall", "file".
std::optional<MockResponse> fail_once(const MockRequest& req, std::string_view cred,
                                      std::string_view step);

}  // namespace mock
