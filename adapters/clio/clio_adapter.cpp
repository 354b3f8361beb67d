// Not implemented yet: events for clio get a failed reply with error.code adapter_unavailable.
#include "adapters/registry.hpp"

namespace calllog {
std::unique_ptr<Adapter> make_clio_adapter(const AdapterOptions&) { return nullptr; }
}  // namespace calllog
