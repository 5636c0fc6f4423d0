/* args_env.c — prints its arguments and environment as it received them,
   then checks them against what args_env.spec grants: argv[0] is the
   component path as given, then exactly the spec's arguments (spaces and
   empty strings kept), and the environment is exactly the --env entries
   in order (nothing inherited from the host). */
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

extern char **environ;

static const char *const kArgs[] = {"args_env.component.wasm", "one", "two words", "", "--flag=x"};
static const char *const kEnv[] = {"GREETING=hello", "EMPTY=", "WITH_EQUALS=a=b"};

int main(int argc, char **argv) {
  say(1, "argc %d\n", argc);
  for (int i = 0; i < argc; ++i) say(1, "argv[%d] \"%s\"\n", i, argv[i]);
  int nenv = 0;
  for (char **e = environ; e && *e; ++e, ++nenv) say(1, "env \"%s\"\n", *e);

  int ok = argc == (int)(sizeof kArgs / sizeof *kArgs);
  for (int i = 0; ok && i < argc; ++i) ok = strcmp(argv[i], kArgs[i]) == 0;
  say(1, "args match: %s\n", ok ? "yes" : "no");

  int env_ok = nenv == (int)(sizeof kEnv / sizeof *kEnv);
  for (int i = 0; env_ok && i < nenv; ++i) env_ok = strcmp(environ[i], kEnv[i]) == 0;
  say(1, "env match: %s\n", env_ok ? "yes" : "no");

  const char *g = getenv("GREETING");
  say(1, "getenv GREETING: %s\n", g ? g : "(unset)");
  const char *h = getenv("HOME");
  say(1, "getenv HOME: %s\n", h ? h : "(unset)");
  return ok && env_ok ? 0 : 1;
}
