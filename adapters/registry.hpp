#pragma once
// Adapters by platform name. A platform listed in CONTRACT §3 whose adapter has not landed yet is
// "known" but has no adapter: events for it fail with adapter_unavailable, not unknown_platform.
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/adapter.hpp"

namespace calllog {

// The platform names of CONTRACT §3.
const std::vector<std::string_view>& known_platforms();
bool is_known_platform(std::string_view platform);

// A new adapter for the platform, or nullptr when it is unknown or not available yet.
std::unique_ptr<Adapter> make_adapter(std::string_view platform, const AdapterOptions& options);

// One factory per adapter file (adapters/<name>/<name>_adapter.cpp).
std::unique_ptr<Adapter> make_sandbox_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_pipedrive_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_clio_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_insightly_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_redtail_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_bullhorn_adapter(const AdapterOptions& options);
std::unique_ptr<Adapter> make_netsuite_adapter(const AdapterOptions& options);

}  // namespace calllog
