// result.cpp — names of error kinds.
#include "base/result.h"

namespace wippy {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Trap: return "trap";
    case ErrorKind::Exhaustion: return "exhaustion";
    case ErrorKind::Io: return "io";
    case ErrorKind::Other: return "error";
    case ErrorKind::Interrupted: return "interrupted";
    case ErrorKind::Exit: return "exit";
  }
  return "error";
}

}  // namespace wippy
