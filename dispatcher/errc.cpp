// errc.cpp — names for Errc values (for messages and tests).
#include "dispatcher/errc.h"

namespace wippy::disp {

const char* errc_name(Errc e) {
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::timed_out: return "timed out";
    case Errc::cancelled: return "cancelled";
    case Errc::deadline_exceeded: return "deadline exceeded";
    case Errc::bad_fd: return "bad file descriptor";
    case Errc::not_in_fiber: return "not in a fiber";
    case Errc::system: return "system error";
  }
  return "unknown";
}

}  // namespace wippy::disp
