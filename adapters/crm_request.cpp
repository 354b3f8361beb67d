#include "adapters/crm_request.hpp"

namespace calllog {

https::AllowList allow_list_for(const Adapter& adapter, const AdapterContext& ctx) {
  https::AllowList allowed = ctx.extra_allowed;
  for (auto& p : adapter.allowed_hosts()) allowed.add(p);
  return allowed;
}

boost::asio::awaitable<https::Outcome> crm_request(AdapterContext& ctx, std::string_view /*platform*/,
                                                   https::Request req, const https::AllowList& allowed) {
  co_return co_await ctx.http->request(std::move(req), allowed);
}

}  // namespace calllog
