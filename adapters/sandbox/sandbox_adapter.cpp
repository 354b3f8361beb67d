#include "adapters/registry.hpp"
namespace calllog {
std::unique_ptr<Adapter> make_sandbox_adapter(const AdapterOptions&) { return nullptr; }
}  // namespace calllog
