// bind_names.h — the names of the typed binding API (component/bind.h) that
// the wasi host interfaces use, brought into wippy::hostfns.
#pragma once
#include "component/bind.h"

namespace wippy::hostfns {

using component::Borrow;
using component::HostInterface;
using component::HostResource;
using component::Linker;
using component::Own;
using component::Val;
using component::WitCase;
using component::WitResult;
using component::wit_err;
using component::wit_ok;

}  // namespace wippy::hostfns
