// Not implemented yet: events for redtail get a failed reply with error.code adapter_unavailable.
#include "adapters/registry.hpp"

namespace calllog {
std::unique_ptr<Adapter> make_redtail_adapter(const AdapterOptions&) { return nullptr; }
}  // namespace calllog
