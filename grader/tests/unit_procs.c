/* unit_procs.c — what the unit suites use to watch helper processes hold or wait. */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

bool unit_arrives(int r, int ms)
{
    struct pollfd p = { .fd = r, .events = POLLIN };
    int n;
    while ((n = poll(&p, 1, ms)) == -1 && errno == EINTR)
        ;
    char c;
    return n == 1 && read(r, &c, 1) == 1;
}

void unit_stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
