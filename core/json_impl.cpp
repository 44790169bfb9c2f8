// Boost.JSON, header-only: compiled once, here.
#include <boost/json/src.hpp>
