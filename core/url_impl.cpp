// Boost.URL, header-only: compiled once, here.
#include <boost/url/src.hpp>
