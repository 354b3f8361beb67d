#pragma once
// The one way an adapter sends a request to its CRM. Every adapter calls this instead of
// https::Client directly, so that the pool-wide rate limiter (issue 7), the CRM metrics and the
// allow-list apply to every CRM request in one place.
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "adapters/adapter.hpp"
#include "common/https/https_client.hpp"

namespace calllog {

// The adapter's allow-list: its built-in host patterns plus --allow-host.
https::AllowList allow_list_for(const Adapter& adapter, const AdapterContext& ctx);

// Sends `req` for `platform`. The rate-limit budget key is (platform, host of req.url).
boost::asio::awaitable<https::Outcome> crm_request(AdapterContext& ctx, std::string_view platform,
                                                   https::Request req, const https::AllowList& allowed);

}  // namespace calllog
