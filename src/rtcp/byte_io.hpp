// Big-endian loads and stores: the rtp layer's header-only helpers (nothing is linked, so rtcp
// stays a pure layer that links nothing of ours).
#pragma once

#include "rtp/byte_io.hpp"

namespace rrtc::rtcp {

using rtp::load_be16;
using rtp::load_be24;
using rtp::load_be32;
using rtp::load_be64;
using rtp::store_be16;
using rtp::store_be24;
using rtp::store_be32;
using rtp::store_be64;

}  // namespace rrtc::rtcp
