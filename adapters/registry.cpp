#include "adapters/registry.hpp"

#include <algorithm>

namespace calllog {

const std::vector<std::string_view>& known_platforms() {
  static const std::vector<std::string_view> names = {
      "pipedrive", "clio", "insightly", "redtail", "bullhorn", "netsuite", "sandbox"};
  return names;
}

bool is_known_platform(std::string_view platform) {
  const auto& k = known_platforms();
  return std::find(k.begin(), k.end(), platform) != k.end();
}

std::unique_ptr<Adapter> make_adapter(std::string_view platform, const AdapterOptions& o) {
  if (platform == "sandbox") return make_sandbox_adapter(o);
  if (platform == "pipedrive") return make_pipedrive_adapter(o);
  if (platform == "clio") return make_clio_adapter(o);
  if (platform == "insightly") return make_insightly_adapter(o);
  if (platform == "redtail") return make_redtail_adapter(o);
  if (platform == "bullhorn") return make_bullhorn_adapter(o);
  if (platform == "netsuite") return make_netsuite_adapter(o);
  return nullptr;
}

}  // namespace calllog
