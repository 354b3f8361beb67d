#include "adapters/pipedrive/activity_types.hpp"

#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/pipedrive/pipedrive_requests.hpp"
#include "common/json.hpp"
#include "common/redis/redis_client.hpp"

namespace calllog::pipedrive {
namespace {

bool ascii_icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < needle.size() && ok; ++k) {
      char c = hay[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      ok = c == needle[k];
    }
    if (ok) return true;
  }
  return false;
}

std::string cache_key(const AdapterContext& ctx, const std::string& host) {
  return ctx.prefix + ":pd:activityTypes:" + host;
}

std::string hostname_of(const Event& e) {
  return json::js_string(json::find_path(e.doc, {"user", "hostname"}));
}

// user.adminSettings.pipedriveCallActivityType.value || null; a non-string truthy value never
// equals a key_string but still triggers the refresh, so it is kept as "" here.
std::optional<std::string> configured_type(const Event& e) {
  const auto* v = json::find_path(e.doc, {"user", "adminSettings", "pipedriveCallActivityType", "value"});
  if (!appconnect::js_truthy(v)) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  return std::string();
}

TypeResolution found(std::string type) {
  TypeResolution r;
  r.type = std::move(type);
  return r;
}

TypeResolution none_fits() {
  TypeResolution r;
  r.none_fits = true;
  return r;
}

}  // namespace

std::optional<ActivityTypes> parse_activity_types(std::string_view body) {
  rapidjson::Document doc;
  if (!json::parse(doc, body).empty()) return std::nullopt;
  const auto* data = json::find(doc, "data");
  if (!data || !data->IsArray()) return std::nullopt;
  ActivityTypes out;
  for (const auto& t : data->GetArray()) {
    if (!appconnect::js_truthy(json::find(t, "active_flag"))) continue;
    auto key = json::string_at(json::find(t, "key_string"));
    auto name = json::string_at(json::find(t, "name"));
    if (!key || !name) continue;  // App Connect could not match these either
    out.push_back({std::string(*key), std::string(*name)});
  }
  return out;
}

std::string serialize_cache_value(const ActivityTypes& types, int64_t fetched_at_ms) {
  std::string list = "[";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) list.push_back(',');
    appconnect::JsonObject t;
    t.string("const", types[i].key).string("title", types[i].title);
    list += t.str();
  }
  list.push_back(']');
  appconnect::JsonObject o;
  o.integer("fetchedAt", fetched_at_ms).raw("types", list);
  return o.str();
}

std::optional<CachedTypes> parse_cache_value(std::string_view text) {
  rapidjson::Document doc;
  if (!json::parse(doc, text).empty() || !doc.IsObject()) return std::nullopt;
  const auto* at = json::find(doc, "fetchedAt");
  const auto* types = json::find(doc, "types");
  if (!at || !at->IsInt64() || !types || !types->IsArray()) return std::nullopt;
  CachedTypes out;
  out.fetched_at_ms = at->GetInt64();
  for (const auto& t : types->GetArray()) {
    auto key = json::string_at(json::find(t, "const"));
    auto title = json::string_at(json::find(t, "title"));
    if (!key || !title) return std::nullopt;
    out.types.push_back({std::string(*key), std::string(*title)});
  }
  return out;
}

std::optional<std::string> configured_if_listed(const ActivityTypes& types,
                                                const std::optional<std::string>& configured) {
  if (!configured || configured->empty()) return std::nullopt;
  for (const auto& t : types) {
    if (t.key == *configured) return t.key;
  }
  return std::nullopt;
}

std::optional<std::string> first_call_type(const ActivityTypes& types) {
  for (const auto& t : types) {
    if (ascii_icontains(t.title, "call")) return t.key;
  }
  return std::nullopt;
}

boost::asio::awaitable<TypeResolution> ActivityTypeResolver::resolve(
    const Event& event, AdapterContext& ctx, const https::AllowList& allowed) {
  const auto configured = configured_type(event);
  auto loaded = co_await load(event, ctx, allowed, false, std::nullopt);
  if (!loaded.types) co_return failed(loaded);
  ActivityTypes types = std::move(*loaded.types);

  if (configured) {
    if (auto t = configured_if_listed(types, configured)) co_return found(*t);
    // The configured type may have been created or renamed since: refresh once.
    loaded = co_await load(event, ctx, allowed, true, types);
    if (!loaded.types) co_return failed(loaded);
    types = std::move(*loaded.types);
    if (auto t = configured_if_listed(types, configured)) co_return found(*t);
  }
  auto matched = first_call_type(types);
  if (!matched) {
    loaded = co_await load(event, ctx, allowed, true, types);
    if (!loaded.types) co_return failed(loaded);
    matched = first_call_type(*loaded.types);
  }
  if (!matched) co_return none_fits();
  co_return found(*matched);
}

// getAccountData: fresh cached data unless forced; otherwise fetch; a failed fetch serves the
// stale list when there is one, and fails otherwise.
boost::asio::awaitable<ActivityTypeResolver::Loaded> ActivityTypeResolver::load(
    const Event& event, AdapterContext& ctx, const https::AllowList& allowed, bool force,
    const std::optional<ActivityTypes>& stale) {
  const std::string host = hostname_of(event);
  const int64_t now = appconnect::now_ms();
  const int64_t ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kTtl).count();
  std::optional<ActivityTypes> stale_types = stale;

  if (!force) {
    if (auto m = memo_get(host); m && now - m->fetched_at_ms < ttl_ms) co_return types_only(m->types);
    if (ctx.redis) {
      std::vector<std::string> get{"GET", cache_key(ctx, host)};
      auto r = co_await ctx.redis->exec(std::move(get));
      if (r && r.value->type == redis::Reply::Type::string) {
        if (auto c = parse_cache_value(r.value->str)) {
          if (now - c->fetched_at_ms < ttl_ms) {
            memo_put(host, *c);
            co_return types_only(std::move(c->types));
          }
          stale_types = std::move(c->types);
        }
      }
    }
  }

  auto fetched = co_await fetch(event, ctx, allowed);
  if (!fetched.types) {
    if (stale_types) co_return types_only(std::move(*stale_types));
    co_return fetched;
  }
  const CachedTypes value{*fetched.types, now};
  memo_put(host, value);
  if (ctx.redis) {
    // Best effort: without Redis every process fetches for itself.
    std::vector<std::string> set{"SET", cache_key(ctx, host),
                                 serialize_cache_value(value.types, now), "EX",
                                 std::to_string(kTtl.count())};
    co_await ctx.redis->exec(std::move(set));
  }
  co_return fetched;
}

boost::asio::awaitable<ActivityTypeResolver::Loaded> ActivityTypeResolver::fetch(
    const Event& event, AdapterContext& ctx, const https::AllowList& allowed) {
  const std::string what = "GET " + std::string(kActivityTypesPath);
  https::Request req;
  req.method = "GET";
  req.url = base_url(event.doc) + std::string(kActivityTypesPath);
  req.headers.emplace_back("Authorization", std::string(event.auth_header()));
  ++fetches_;
  auto out = co_await crm_request(ctx, "pipedrive", std::move(req), allowed);
  if (!out.response) {
    co_return failed_load(appconnect::failure_from_transport(*out.failure, what), std::nullopt);
  }
  const auto& resp = *out.response;
  if (resp.status < 200 || resp.status > 299) {
    co_return failed_load(appconnect::failure_from_response(resp, "Pipedrive", what), resp.status);
  }
  auto types = parse_activity_types(resp.body);
  if (!types) {
    co_return failed_load(
        appconnect::bad_response_failure(resp, "Pipedrive", what, "its body has no data list"),
        std::nullopt);
  }
  co_return types_only(std::move(*types));
}

std::optional<CachedTypes> ActivityTypeResolver::memo_get(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = memo_.find(host);
  if (it == memo_.end()) return std::nullopt;
  return it->second;
}

void ActivityTypeResolver::memo_put(const std::string& host, const CachedTypes& value) {
  std::lock_guard lock(mu_);
  memo_[host] = value;
}

}  // namespace calllog::pipedrive
