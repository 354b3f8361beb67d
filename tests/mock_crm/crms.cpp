// The registration list. To add a CRM: write crm_<name>.cpp defining
// `void register_<name>(mock::Router&)`, then add one X(<name>) line below.
#include "mock.hpp"

#define MOCK_CRMS(X) \
  X(test_behaviours) \
  X(ratelimited) \
  X(pipedrive) \
  X(clio) \
  X(insightly) \
  X(redtail) \
  X(bullhorn) \
  X(netsuite)

namespace mock {

#define MOCK_DECLARE(name) void register_##name(Router&);
MOCK_CRMS(MOCK_DECLARE)
#undef MOCK_DECLARE

void register_all(Router& r) {
#define MOCK_REGISTER(name) register_##name(r);
  MOCK_CRMS(MOCK_REGISTER)
#undef MOCK_REGISTER
}

}  // namespace mock
