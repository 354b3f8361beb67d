// Shared test support (process helpers, redis-server launcher) lands here.
namespace calllog::test {}
